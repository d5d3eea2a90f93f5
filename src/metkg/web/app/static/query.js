// The query page: the SPARQL editor, the examples menu, and results shown in place.
// Values from the data are only ever set as textContent, never as HTML. Without this script
// (or without the editor bundle) the form posts the textarea and the server answers a page.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const textarea = document.getElementById("query");
  const picker = document.getElementById("examples");
  const format = document.getElementById("accept");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const SOLUTIONS = ["csv", "tsv", "json", "xml"];
  const GRAPHS = ["turtle", "ntriples", "jsonld", "rdfxml"];

  let editor = {
    get: function () { return textarea.value; },
    set: function (text) { textarea.value = text; },
    focus: function () { textarea.focus(); },
  };
  if (window.metkgEditor) {
    try {
      editor = window.metkgEditor.attach(textarea, function () { form.requestSubmit(); });
    } catch (e) {
      textarea.hidden = false; // the plain textarea stays the editor
    }
  }

  picker.addEventListener("change", function () {
    const option = picker.options[picker.selectedIndex];
    if (option && option.dataset.query) {
      editor.set(option.dataset.query);
      textarea.value = option.dataset.query;
    }
  });

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = localHref(term.value);
      a.textContent = term.value;
      td.appendChild(a);
      return td;
    }
    td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
    if (term["xml:lang"]) {
      const note = document.createElement("span");
      note.className = "note";
      note.textContent = " @" + term["xml:lang"];
      td.appendChild(note);
    }
    return td;
  }

  function localHref(iri) {
    // IRIs this server mints open here; other http(s) IRIs as they are; anything else not at all.
    try {
      const url = new URL(iri);
      if (url.protocol !== "http:" && url.protocol !== "https:") return "#";
      if (iri.startsWith("https://w3id.org/metkg/ontology#")) return "/ontology#" + url.hash.slice(1);
      return iri;
    } catch (e) {
      return "#";
    }
  }

  function showTable(data) {
    results.replaceChildren();
    if ("boolean" in data) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = String(data.boolean);
      results.appendChild(p);
      status.textContent = "answer: " + data.boolean;
      return;
    }
    const vars = data.head.vars;
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      head.appendChild(th);
    });
    const body = table.createTBody();
    data.results.bindings.forEach(function (b) {
      const row = body.insertRow();
      vars.forEach(function (v) { row.appendChild(cell(b[v])); });
    });
    const wrap = document.createElement("div");
    wrap.className = "table-wrap results-wrap";
    wrap.tabIndex = 0;
    wrap.setAttribute("aria-label", "query results");
    wrap.appendChild(table);
    results.appendChild(wrap);
    const n = data.results.bindings.length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + ", " + vars.length + " column" + (vars.length === 1 ? "" : "s");
  }

  function showText(text) {
    results.replaceChildren();
    const pre = document.createElement("pre");
    pre.textContent = text;
    results.appendChild(pre);
    status.textContent = "graph answer";
  }

  function showDownloads(names) {
    downloads.replaceChildren(document.createTextNode("Download: "));
    names.forEach(function (name, i) {
      const a = document.createElement("a");
      a.href = "/sparql?" + new URLSearchParams({ query: editor.get(), format: name }).toString();
      a.textContent = name;
      downloads.appendChild(a);
      if (i < names.length - 1) downloads.appendChild(document.createTextNode(" · "));
    });
    downloads.hidden = false;
  }

  async function problem(response, type) {
    if (type.includes("json")) {
      const body = await response.json();
      return (body.title || "") + ": " + (body.detail || "");
    }
    return await response.text();
  }

  form.addEventListener("submit", async function (event) {
    textarea.value = editor.get();
    if (format.value !== "html") return; // downloads go through the plain form post
    event.preventDefault();
    status.textContent = "running…";
    downloads.hidden = true;
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: editor.get() }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        status.textContent = response.status + " " + (await problem(response, type));
        results.replaceChildren();
        return;
      }
      if (type.includes("sparql-results+json")) {
        showTable(await response.json());
        showDownloads(SOLUTIONS);
      } else {
        showText(await response.text());
        showDownloads(GRAPHS);
      }
      status.textContent += " in " + Math.round(performance.now() - started) + " ms";
    } catch (e) {
      status.textContent = "request failed: " + e;
    }
  });
})();
