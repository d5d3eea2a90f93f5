// The query page: fill the editor from the examples and show results in a table.
// Values from the data are only ever set as textContent, never as HTML.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const editor = document.getElementById("query");
  const examples = JSON.parse(document.getElementById("example-queries").textContent || "{}");
  const picker = document.getElementById("examples");
  const format = document.getElementById("accept");
  const status = document.getElementById("status");
  const results = document.getElementById("results");

  picker.addEventListener("change", function () {
    if (examples[picker.value]) editor.value = examples[picker.value];
  });

  function localHref(iri) {
    // Links stay on this server for IRIs it serves; others open as they are.
    try {
      const url = new URL(iri);
      if (url.protocol === "http:" || url.protocol === "https:") return iri;
    } catch (e) { /* not a URL */ }
    return null;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = localHref(term.value);
      const a = document.createElement(href ? "a" : "span");
      if (href) a.href = href;
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype || "").replace("http://www.w3.org/2001/XMLSchema#", "xsd:");
      if (note) {
        const span = document.createElement("span");
        span.className = "note";
        span.textContent = " " + note;
        td.appendChild(span);
      }
    }
    return td;
  }

  function showTable(data) {
    results.replaceChildren();
    if ("boolean" in data) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = String(data.boolean);
      results.appendChild(p);
      return;
    }
    const vars = data.head.vars;
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    vars.forEach(function (v) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    const body = table.createTBody();
    data.results.bindings.forEach(function (b) {
      const row = body.insertRow();
      vars.forEach(function (v) { row.appendChild(cell(b[v])); });
    });
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.appendChild(table);
    results.appendChild(wrap);
    status.textContent = data.results.bindings.length + " rows";
  }

  function showText(text) {
    results.replaceChildren();
    const pre = document.createElement("pre");
    pre.textContent = text;
    results.appendChild(pre);
  }

  form.addEventListener("submit", async function (event) {
    if (format.value !== "html") return; // downloads go through the plain form post
    event.preventDefault();
    status.textContent = "running…";
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: editor.value }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        const problem = type.includes("json") ? await response.json() : { detail: await response.text() };
        status.textContent = response.status + " " + (problem.title || "") + ": " + (problem.detail || "");
        results.replaceChildren();
        return;
      }
      if (type.includes("sparql-results+json")) showTable(await response.json());
      else showText(await response.text());
      status.textContent += " in " + Math.round(performance.now() - started) + " ms";
    } catch (e) {
      status.textContent = "request failed: " + e;
    }
  });
})();
