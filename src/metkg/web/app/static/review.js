// Review in the browser: the drafts list and the review screen of one draft.
// Everything from the data reaches the page through textContent, never innerHTML.
"use strict";

const TOKEN_KEY = "metkg-curator-token";

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${token()}` }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) body = await response.json();
  if (!response.ok) {
    const error = new Error((body && (body.detail || body.title)) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return { body, response };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function setupToken(onReady) {
  const form = document.getElementById("token-form");
  const input = document.getElementById("token");
  const who = document.getElementById("whoami");
  input.value = token();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    onReady();
  });
  who.textContent = token() ? "token set for this tab" : "no token yet";
  if (token()) onReady();
}

// ---------------------------------------------------------------- the drafts list
function draftsPage() {
  const tbody = document.querySelector("#drafts tbody");
  const empty = document.getElementById("drafts-empty");
  const status = document.getElementById("upload-status");
  async function refresh() {
    try {
      const { body } = await api("/review/api/drafts");
      tbody.replaceChildren(
        ...body.map((d) =>
          el(
            "tr",
            {},
            el("td", {}, el("a", { href: `/review/${d.id}`, text: d.name })),
            el("td", { text: d.status + (d.message ? `: ${d.message}` : "") }),
            el("td", { text: String(d.revision) }),
            el("td", { text: d.updated }),
            el("td", { text: d.record_id || "" }),
          ),
        ),
      );
      empty.textContent = body.length ? "" : "No drafts yet: upload a report.";
      document.getElementById("whoami").textContent = "token accepted";
    } catch (error) {
      empty.textContent = error.status === 401 || error.status === 403 ? `Not allowed: ${error.message}` : error.message;
    }
  }
  document.getElementById("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("upload-file").files[0];
    if (!file) return;
    status.textContent = `Uploading ${file.name}…`;
    try {
      const { body } = await api(`/review/api/drafts?name=${encodeURIComponent(file.name)}`, {
        method: "POST",
        body: file,
        headers: { "Content-Type": "application/octet-stream" },
      });
      status.textContent = `Extracting ${file.name}…`;
      window.location.assign(`/review/${body.id}`);
    } catch (error) {
      status.textContent = `Upload failed: ${error.message}`;
    }
  });
  document.getElementById("open-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = document.getElementById("open-id").value.trim();
    try {
      const { body } = await api(`/review/api/records/${encodeURIComponent(id)}`, { method: "POST" });
      window.location.assign(`/review/${body.id}`);
    } catch (error) {
      status.textContent = `Cannot open ${id}: ${error.message}`;
    }
  });
  setupToken(refresh);
}

// ---------------------------------------------------------------- the review screen
const KIND_CLASS = {
  lesion: "kind-lesion",
  specimen: "kind-specimen",
  result: "kind-result",
  intervention: "kind-intervention",
  outcome: "kind-outcome",
  journey: "kind-date",
  response: "kind-outcome",
};

function kindClass(kind) {
  return KIND_CLASS[kind] || "kind-other";
}

function pointerParts(pointer) {
  return pointer
    .split("/")
    .filter((p) => p !== "")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function at(record, pointer) {
  return pointerParts(pointer).reduce((node, part) => (node == null ? node : node[part]), record);
}

// The absolute character offset of a DOM position inside the source <pre>.
function offsetIn(root, node, offset) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let total = 0;
  for (let current = walker.nextNode(); current; current = walker.nextNode()) {
    if (current === node) return total + offset;
    total += current.textContent.length;
  }
  return null;
}

function reviewPage(root) {
  const draftId = root.dataset.draft;
  const state = { draft: null, record: null, text: "", facts: [], decisions: {}, selected: null, terms: null };
  const source = document.getElementById("source");
  const factsPane = document.getElementById("facts");
  const statusLine = document.getElementById("draft-status");
  const problems = document.getElementById("problems");
  const addButton = document.getElementById("add-fact");

  function say(message) {
    statusLine.textContent = message;
  }

  async function loadTerms() {
    if (state.terms) return;
    const { body } = await api("/review/api/terms");
    state.terms = body;
    for (const [category, pairs] of Object.entries(body)) {
      const list = document.getElementById(`terms-${category}`);
      if (list) list.replaceChildren(...pairs.map(([key, label]) => el("option", { value: key, text: label })));
    }
  }

  async function load() {
    try {
      const { body } = await api(`/review/api/drafts/${draftId}`);
      state.draft = body.draft;
      document.getElementById("draft-name").textContent = body.draft.name;
      document.getElementById("whoami").textContent = "token accepted";
      if (body.draft.status === "extracting") {
        say("Extracting the report… (this page updates by itself)");
        setTimeout(load, 1000);
        return;
      }
      if (body.draft.status === "failed") {
        say(`Extraction failed: ${body.draft.message}`);
        return;
      }
      state.record = body.record;
      state.text = body.text || "";
      state.facts = body.facts;
      state.decisions = body.decisions || {};
      await loadTerms();
      render();
      loadDiff();
      const published = body.draft.status === "published" ? ` · published as ${body.draft.record_id}` : "";
      say(`Revision ${body.draft.revision}${published}`);
    } catch (error) {
      say(`Cannot load the draft: ${error.message}`);
    }
  }

  async function loadDiff() {
    const { body } = await api(`/review/api/drafts/${draftId}/diff`);
    const summary = document.getElementById("diff-summary");
    const list = document.getElementById("diff-list");
    if (!body.curated) {
      summary.textContent = body.reason;
      list.replaceChildren();
      return;
    }
    summary.textContent = `${body.curated}: ${body.same} facts the same, ${body.added.length} only in this draft (+), ${body.missing.length} only in the curated record (−)`;
    list.replaceChildren(
      ...body.added.map((fact) => el("li", { class: "added", text: `+ ${fact}` })),
      ...body.missing.map((fact) => el("li", { class: "missing", text: `− ${fact}` })),
    );
  }

  // -- the source text with every quote highlighted
  function renderSource() {
    const spans = [];
    state.facts.forEach((fact, index) => {
      for (const q of fact.quotes) {
        if (q.start !== null && q.start !== undefined) spans.push({ start: q.start, end: q.start + q.quote.length, index, kind: fact.kind });
      }
    });
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const pieces = [];
    let position = 0;
    for (const span of spans) {
      if (span.start < position) continue; // overlapping quotes: the first one is marked
      if (span.start > position) pieces.push(document.createTextNode(state.text.slice(position, span.start)));
      pieces.push(
        el("mark", {
          class: kindClass(span.kind),
          "data-fact": String(span.index),
          title: state.facts[span.index].path,
          text: state.text.slice(span.start, span.end),
          onclick: () => select(span.index, false),
        }),
      );
      position = span.end;
    }
    pieces.push(document.createTextNode(state.text.slice(position)));
    source.replaceChildren(...pieces);
  }

  // -- the facts, as the record groups them
  function renderFacts() {
    const cards = state.facts.map((fact, index) => factCard(fact, index));
    factsPane.replaceChildren(...cards);
    const open = state.facts.filter((f) => f.flags.length && !state.decisions[f.pointer]).length;
    document.getElementById("flag-count").textContent = open ? `${open} flagged fact(s) to decide` : "no flags left";
  }

  function render() {
    renderSource();
    renderFacts();
  }

  function decide(fact, decision) {
    state.decisions[fact.pointer] = decision;
    renderFacts();
    save();
  }

  function factCard(fact, index) {
    const decision = state.decisions[fact.pointer] || "";
    const card = el("article", {
      class: `fact ${kindClass(fact.kind)}`,
      id: `fact-${index}`,
      "data-decision": decision,
      "data-pointer": fact.pointer,
      tabindex: "0",
    });
    card.append(el("div", { class: "path", text: fact.path }), el("div", { class: "summary", text: fact.summary || fact.kind }));
    for (const q of fact.quotes) {
      card.append(el("div", { class: "quote", text: `“${q.quote}”${q.start === null ? " (not found in the text)" : ""}`, onclick: () => select(index, true) }));
    }
    if (fact.flags.length) card.append(el("div", { class: "flags", text: `⚑ ${fact.flags.join(" · ")}` }));
    if (decision) card.append(el("div", { class: "note", text: `decision: ${decision}` }));
    const actions = el("div", { class: "actions" });
    actions.append(
      el("button", { type: "button", text: "Accept", onclick: () => decide(fact, "accepted") }),
      el("button", { type: "button", class: "secondary", text: "Edit", onclick: () => editFact(card, fact) }),
      el("button", { type: "button", class: "secondary", text: "Reject", onclick: () => decide(fact, "rejected") }),
    );
    if (fact.kind === "result") actions.append(moveControl(fact));
    card.append(actions);
    card.addEventListener("focus", () => select(index, true));
    return card;
  }

  function select(index, scrollSource) {
    state.selected = index;
    for (const node of document.querySelectorAll(".active")) node.classList.remove("active");
    const card = document.getElementById(`fact-${index}`);
    if (card) {
      card.classList.add("active");
      if (!scrollSource) card.scrollIntoView({ block: "nearest" });
    }
    const marks = source.querySelectorAll(`mark[data-fact="${index}"]`);
    marks.forEach((m) => m.classList.add("active"));
    if (scrollSource && marks.length) marks[0].scrollIntoView({ block: "center" });
  }

  // -- editing a fact's typed fields
  const FIELDS = {
    result: [
      ["marker", "text", "marker"],
      ["status", ["", "positive", "negative", "equivocal", "low"]],
      ["comparator", ["", ">", ">=", "<", "<=", "~"]],
      ["percent", "number"],
      ["score", ["", "0", "1+", "2+", "3+"]],
    ],
    lesion: [
      ["kind", ["primary", "metastasis", "local-invasion", "recurrence"]],
      ["site", "text", "site"],
      ["histology", "text", "histology"],
      ["diagnosis_date", "text"],
    ],
    specimen: [
      ["procedure", "text", "procedure"],
      ["site", "text", "site"],
      ["lesion", "lesion"],
      ["date", "text"],
    ],
    intervention: [
      ["type", ["surgery", "chemotherapy", "endocrine", "targeted", "immunotherapy", "radiotherapy", "embolization", "supportive"]],
      ["drugs", "drugs", "drug"],
      ["start", "text"],
    ],
  };

  function patientOf(pointer) {
    return at(state.record, pointerParts(pointer).slice(0, 2).map(String).join("/").replace(/^/, "/"));
  }

  function input(item, name, type, list, pointer) {
    const id = `edit-${name}`;
    let control;
    const value = item[name];
    if (Array.isArray(type)) {
      control = el("select", { id, name }, ...type.map((option) => el("option", { value: option, text: option || "(not stated)", selected: String(value ?? "") === option })));
    } else if (type === "lesion") {
      const lesions = (patientOf(pointer).lesions || []).map((l) => l.id);
      control = el("select", { id, name }, el("option", { value: "", text: "(unattributed)" }), ...lesions.map((l) => el("option", { value: l, text: l, selected: value === l })));
    } else if (type === "drugs") {
      control = el("input", { id, name, list: `terms-${list}`, value: (value || []).map((d) => d.drug).join(", ") });
    } else {
      control = el("input", { id, name, type: type === "number" ? "number" : "text", step: "any", list: list ? `terms-${list}` : null, value: value ?? "" });
    }
    return el("label", { for: id }, `${name} `, control);
  }

  function editFact(card, fact) {
    const item = at(state.record, fact.pointer);
    const fields = FIELDS[fact.kind];
    if (!item || !fields) {
      problems.textContent = `This kind of fact (${fact.kind}) is edited in the YAML record.`;
      return;
    }
    const form = el("form", { class: "edit" }, ...fields.map(([name, type, list]) => input(item, name, type, list, fact.pointer)));
    form.append(el("div", { class: "actions" }, el("button", { type: "submit", text: "Apply" }), el("button", { type: "button", class: "secondary", text: "Cancel", onclick: () => form.remove() })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      for (const [name, type] of fields) {
        const raw = String(data.get(name) ?? "").trim();
        if (type === "drugs") item.drugs = raw ? raw.split(/\s*,\s*/).map((drug) => Object.assign({}, (item.drugs || []).find((d) => d.drug === drug) || {}, { drug })) : [];
        else if (type === "number") item[name] = raw === "" ? null : Number(raw);
        else item[name] = raw === "" ? null : raw;
        if (item[name] === null) delete item[name];
      }
      state.decisions[fact.pointer] = "edited";
      save(true);
    });
    card.append(form);
    form.querySelector("input, select").focus();
  }

  // -- attaching a result to another specimen
  function moveControl(fact) {
    const parts = pointerParts(fact.pointer);
    const patient = patientOf(fact.pointer);
    const here = parts[3];
    const select = el("select", { "aria-label": "attach to specimen" }, el("option", { value: "", text: "attach to…" }));
    (patient.specimens || []).forEach((s, i) => {
      if (i !== here) select.append(el("option", { value: String(i), text: s.id }));
    });
    select.addEventListener("change", () => {
      if (select.value === "") return;
      const target = Number(select.value);
      const list = patient.specimens[here].results;
      const [result] = list.splice(parts[5], 1);
      patient.specimens[target].results = patient.specimens[target].results || [];
      patient.specimens[target].results.push(result);
      rekeyAfterRemoval(`/patients/${parts[1]}/specimens/${here}/results`, parts[5]);
      state.decisions[`/patients/${parts[1]}/specimens/${target}/results/${patient.specimens[target].results.length - 1}`] = "edited";
      save(true);
    });
    return select;
  }

  function rekeyAfterRemoval(listPointer, removed) {
    const updated = {};
    for (const [pointer, decision] of Object.entries(state.decisions)) {
      if (!pointer.startsWith(`${listPointer}/`)) {
        updated[pointer] = decision;
        continue;
      }
      const rest = pointer.slice(listPointer.length + 1).split("/");
      const index = Number(rest[0]);
      if (index === removed) continue;
      rest[0] = String(index > removed ? index - 1 : index);
      updated[`${listPointer}/${rest.join("/")}`] = decision;
    }
    state.decisions = updated;
  }

  // -- adding a fact from a selection of the source text
  let pending = null;
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !source.contains(selection.anchorNode) || !source.contains(selection.focusNode)) {
      addButton.disabled = true;
      return;
    }
    const range = selection.getRangeAt(0);
    const start = offsetIn(source, range.startContainer, range.startOffset);
    const end = offsetIn(source, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    pending = { start, end, quote: state.text.slice(start, end) };
    addButton.disabled = false;
  });

  const dialog = document.getElementById("add-dialog");
  const addKind = document.getElementById("add-kind");
  const addFields = document.getElementById("add-fields");
  function addFormFields() {
    const kind = addKind.value;
    const patient = state.record.patients[0];
    const blank = {};
    const fields = FIELDS[kind].filter(([name]) => !(kind === "lesion" && name === "kind"));
    addFields.replaceChildren(...fields.map(([name, type, list]) => input(blank, name, type, list, "/patients/0")));
    if (kind === "result") {
      addFields.prepend(el("label", { for: "add-specimen" }, "specimen ", el("select", { id: "add-specimen", name: "specimen" }, ...(patient.specimens || []).map((s, i) => el("option", { value: String(i), text: s.id })))));
    }
  }
  addKind.addEventListener("change", addFormFields);
  addButton.addEventListener("click", () => {
    if (!pending) return;
    document.getElementById("add-quote").textContent = pending.quote;
    addFormFields();
    dialog.showModal();
  });
  document.getElementById("add-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("add-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const kind = addKind.value;
    const patient = state.record.patients[0];
    const evidence = [{ quote: pending.quote, start: pending.start, end: pending.end }];
    const item = { evidence };
    for (const [name, type] of FIELDS[kind]) {
      const raw = String(data.get(name) ?? "").trim();
      if (raw === "") continue;
      if (type === "drugs") item.drugs = raw.split(/\s*,\s*/).map((drug) => ({ drug }));
      else if (type === "number") item[name] = Number(raw);
      else item[name] = raw;
    }
    let pointer;
    if (kind === "result") {
      if (!item.marker) return;
      const index = Number(data.get("specimen") || 0);
      const specimen = patient.specimens[index];
      specimen.results = specimen.results || [];
      specimen.results.push(item);
      pointer = `/patients/0/specimens/${index}/results/${specimen.results.length - 1}`;
    } else if (kind === "lesion") {
      const used = new Set((patient.lesions || []).map((l) => l.id));
      let id = `${(item.site || "added").replace(/[^a-z0-9]+/g, "-")}-metastasis`;
      for (let n = 2; used.has(id); n += 1) id = `${(item.site || "added").replace(/[^a-z0-9]+/g, "-")}-metastasis-${n}`;
      Object.assign(item, { id, kind: "metastasis" });
      patient.lesions = patient.lesions || [];
      patient.lesions.push(item);
      pointer = `/patients/0/lesions/${patient.lesions.length - 1}`;
    } else {
      const used = new Set((patient.interventions || []).map((x) => x.id));
      let id = `${item.type || "intervention"}-added`;
      for (let n = 2; used.has(id); n += 1) id = `${item.type || "intervention"}-added-${n}`;
      Object.assign(item, { id, type: item.type || "surgery" });
      patient.interventions = patient.interventions || [];
      patient.interventions.push(item);
      pointer = `/patients/0/interventions/${patient.interventions.length - 1}`;
    }
    state.decisions[pointer] = "accepted";
    dialog.close();
    save(true);
  });

  // -- saving and publishing
  async function save(reload = false) {
    problems.textContent = "";
    try {
      const { body } = await api(`/review/api/drafts/${draftId}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "If-Match": `"${state.draft.revision}"` },
        body: JSON.stringify({ record: state.record, decisions: state.decisions }),
      });
      state.draft = body;
      say(`Saved: revision ${body.revision}`);
      if (reload) await load();
    } catch (error) {
      problems.textContent = error.status === 409 ? `${error.message} (nothing of yours was lost: copy your change, reload, apply it again)` : `Not saved: ${error.message}`;
    }
  }

  async function publish() {
    problems.textContent = "";
    say("Publishing…");
    try {
      const { body } = await api(`/review/api/drafts/${draftId}/publish`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "If-Match": `"${state.draft.revision}"` },
        body: JSON.stringify({}),
      });
      say(`Published ${body.record} (${body.doi}), reviewed by ${body.reviewer}`);
      state.draft.status = "published";
    } catch (error) {
      say("Not published");
      const issues = (error.body && error.body.issues) || [];
      problems.replaceChildren(
        el("p", { text: `Not published: ${issues.length ? `${issues.length} problem(s)` : error.message}` }),
        el("ul", {}, ...issues.map((i) => el("li", { text: `${i.field}: ${i.message}` }))),
      );
    }
  }

  document.getElementById("save").addEventListener("click", () => save(true));
  document.getElementById("publish").addEventListener("click", publish);
  setupToken(load);
}

document.addEventListener("DOMContentLoaded", () => {
  const review = document.getElementById("review");
  if (review) reviewPage(review);
  else if (document.getElementById("drafts")) draftsPage();
});
