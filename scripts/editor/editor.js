// The query page's SPARQL editor: CodeMirror 6 with the SPARQL mode, over the page's <textarea>.
// Bundled into src/metkg/web/app/static/vendor/editor.js by scripts/build-editor.sh. The page
// works without it: the textarea stays the editor and the form posts it.
//
// The editor lives in a shadow root: CodeMirror then puts its styles in a constructed style
// sheet of that root instead of a <style> element, which the pages' Content-Security-Policy
// (style-src 'self') would refuse. Tab is left to move the focus (keyboard users).
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { EditorState } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

const theme = EditorView.theme({
  "&": { minHeight: "12rem", maxHeight: "28rem", border: "1px solid #8a93a3", backgroundColor: "#fff", fontSize: "13px" },
  "&.cm-focused": { outline: "3px solid #f59e0b", outlineOffset: "2px" },
  ".cm-scroller": { overflow: "auto", fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-gutters": { backgroundColor: "#f4f6fa", color: "#4f5868", borderRight: "1px solid #d9dee7" },
});

// Put an editor in place of a textarea; it writes its text back into the textarea, so the form
// posts it unchanged. Returns get(), set(text) and focus(); Ctrl/Cmd+Enter calls onRun.
function attach(textarea, onRun) {
  const sync = EditorView.updateListener.of(function (update) {
    if (update.docChanged) textarea.value = update.state.doc.toString();
  });
  const run = keymap.of([{ key: "Mod-Enter", run: function () { onRun(); return true; } }]);
  const host = document.createElement("div");
  host.className = "editor-host";
  const root = host.attachShadow({ mode: "open" });
  const view = new EditorView({
    root: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), bracketMatching(),
        StreamLanguage.define(sparql), syntaxHighlighting(defaultHighlightStyle), theme,
        run, keymap.of([...defaultKeymap, ...historyKeymap]), sync,
        EditorView.contentAttributes.of({ "aria-label": textarea.getAttribute("aria-label") || "SPARQL query" }),
      ],
    }),
  });
  root.appendChild(view.dom);
  textarea.parentNode.insertBefore(host, textarea);
  textarea.hidden = true;
  return {
    get: function () { return view.state.doc.toString(); },
    set: function (text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: function () { view.focus(); },
  };
}

window.metkgEditor = { attach: attach };
