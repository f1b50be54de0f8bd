// The review desk's script: plain JavaScript, no build step, nothing fetched from elsewhere.
// Each segment's editor is contenteditable text with inline codes as atomic chips; what is
// sent is the marked form (<1>…</1>, <2/>), which the server reads back against the source.
"use strict";

const T = JSON.parse(document.getElementById("desk-texts").textContent);
const CSRF = document.querySelector('meta[name="desk-csrf"]').content;
const DONE = new Set(["reviewed", "final"]);

function reviewerInput() {
  return document.getElementById("reviewer");
}

function reviewer() {
  const input = reviewerInput();
  return input ? input.value.trim() : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Desk-CSRF": CSRF },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try {
    data = await response.json();
  } catch (e) {
    data = { error: response.statusText };
  }
  return { status: response.status, data };
}

// The marked form of an editor: text as typed, each chip its marker. Typed text that reads
// as a marker gets a backslash before it, and backslashes before a marker are doubled, as
// pipeline.inline.marked writes them, so the server reads it back as text.
function serialise(node) {
  const runs = [];
  collect(node, runs);
  let out = "";
  runs.forEach((run, index) => {
    if (run.marker !== undefined) {
      out += run.marker;
      return;
    }
    let text = run.text.replace(/(\\*)(<(?:\/\d+|\d+\/?)>)/gu, (_, slashes, marker) =>
      slashes + slashes + "\\" + marker);
    if (index + 1 < runs.length) {
      text = text.replace(/\\+$/u, (slashes) => slashes + slashes);
    }
    out += text;
  });
  return out;
}

// The editor's text runs (adjacent ones joined) and chip markers, in reading order.
function collect(node, runs) {
  const add = (text) => {
    const last = runs[runs.length - 1];
    if (last && last.text !== undefined) {
      last.text += text;
    } else {
      runs.push({ text });
    }
  };
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      add(child.textContent);
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      if (child.classList.contains("chip")) {
        runs.push({ marker: child.dataset.marker });
      } else if (child.tagName === "BR") {
        add(" ");
      } else {
        collect(child, runs);
      }
    }
  }
}

function chipCount(editor) {
  return editor.querySelectorAll(".chip").length;
}

function sectionOf(node) {
  return node.closest("section.segment");
}

function lang() {
  return document.getElementById("segments").dataset.lang;
}

function showFlags(section, flags) {
  const list = section.querySelector("ul.flags");
  list.replaceChildren();
  for (const [severity, line] of flags) {
    const item = document.createElement("li");
    item.className = severity;
    item.textContent = line;
    list.append(item);
  }
}

function say(section, text, kind) {
  const status = section.querySelector(".status");
  status.textContent = text;
  status.className = "status " + (kind || "");
}

function setState(section, state) {
  section.dataset.state = state;
  for (const name of [...section.classList]) {
    if (name.startsWith("state-")) section.classList.remove(name);
  }
  section.classList.add("state-" + state);
  section.querySelector(".badge.state").textContent = state;
}

const timers = new WeakMap();

function checkLater(section) {
  clearTimeout(timers.get(section));
  timers.set(
    section,
    setTimeout(async () => {
      const editor = section.querySelector(".editor");
      const { status, data } = await post("/api/qa", {
        segment: section.dataset.segment,
        lang: lang(),
        text: serialise(editor),
      });
      if (status === 200) showFlags(section, data.flags);
      else say(section, data.error || String(status), "error");
    }, 300),
  );
}

async function save(section, state) {
  if (!reviewer()) {
    say(section, T.reviewer_needed, "error");
    reviewerInput().focus();
    return false;
  }
  const editor = section.querySelector(".editor");
  const { status, data } = await post("/api/save", {
    segment: section.dataset.segment,
    lang: lang(),
    text: serialise(editor),
    state,
    base: section.dataset.base,
    reviewer: reviewer(),
  });
  if (status === 200) {
    section.dataset.base = data.base === null ? "" : String(data.base);
    setState(section, data.state);
    showFlags(section, data.flags);
    say(section, T.saved + (data.changed ? " (" + data.changed + ")" : ""), "ok");
    return true;
  }
  if (status === 409) {
    showConflict(section, data.conflict);
    return false;
  }
  say(section, T.error + ": " + (data.error || status), "error");
  return false;
}

function showConflict(section, conflict) {
  const box = document.createElement("div");
  box.className = "conflict";
  box.dataset.conflict = conflict.id;
  box.dataset.yours = conflict.yours;
  box.dataset.base = conflict.base === null ? "" : String(conflict.base);
  const intro = document.createElement("p");
  intro.textContent = T.conflict;
  const theirs = document.createElement("p");
  theirs.innerHTML = "<b></b> ";
  theirs.querySelector("b").textContent = T.theirs + " (" + conflict.author + "):";
  const theirsText = document.createElement("span");
  theirsText.className = "theirs";
  theirsText.innerHTML = conflict.theirs_html; // chips escaped by the server
  theirs.append(theirsText);
  const yours = document.createElement("p");
  yours.innerHTML = "<b></b> ";
  yours.querySelector("b").textContent = T.yours + ":";
  const yoursText = document.createElement("span");
  yoursText.className = "yours";
  yoursText.textContent = conflict.yours;
  yours.append(yoursText);
  const keep = document.createElement("button");
  keep.type = "button";
  keep.className = "keep-theirs";
  keep.textContent = T.keep_theirs;
  const mine = document.createElement("button");
  mine.type = "button";
  mine.className = "use-mine";
  mine.textContent = T.use_mine;
  box.append(intro, theirs, yours, keep, mine);
  section.querySelector(".conflicts").append(box);
  say(section, T.conflict, "error");
}

async function resolve(box, useMine) {
  const section = sectionOf(box);
  if (!reviewer()) {
    say(section, T.reviewer_needed, "error");
    return;
  }
  const { status, data } = await post("/api/resolve", {
    conflict: box.dataset.conflict,
    segment: section.dataset.segment,
    lang: lang(),
    reviewer: reviewer(),
  });
  if (status !== 200) {
    say(section, T.error + ": " + (data.error || status), "error");
    return;
  }
  if (useMine) {
    // Saved over the newest revision: the other text stays in the history.
    if (box.dataset.base) section.dataset.base = box.dataset.base;
    const saved = await post("/api/save", {
      segment: section.dataset.segment,
      lang: lang(),
      text: box.dataset.yours,
      state: "reviewed",
      base: section.dataset.base,
      reviewer: reviewer(),
    });
    if (saved.status !== 200) {
      say(section, T.error + ": " + (saved.data.error || saved.status), "error");
      return;
    }
  }
  location.reload();
}

function editors() {
  return [...document.querySelectorAll("section.segment .editor")];
}

// A long document comes in pages: the server names the pages around this one and where the
// next open segment after it is; the keys carry on there.
function pageLink(name) {
  return document.getElementById("segments").dataset[name] || "";
}

function move(editor, step) {
  const all = editors();
  const next = all[all.indexOf(editor) + step];
  if (next) {
    next.focus();
  } else if (step > 0 && pageLink("next")) {
    location.assign(pageLink("next") + "#first");
  } else if (step < 0 && pageLink("prev")) {
    location.assign(pageLink("prev") + "#last");
  }
}

function nextOpen(section) {
  const all = [...document.querySelectorAll("section.segment")];
  const rest = all.slice(all.indexOf(section) + 1);
  return rest.find((s) => !DONE.has(s.dataset.state));
}

function goToNextOpen(section) {
  const next = nextOpen(section);
  if (next) next.querySelector(".editor").focus();
  else if (pageLink("nextOpen")) location.assign(pageLink("nextOpen"));
}

// The editor to focus on arrival: the one the address names, else the first open one.
function arrival() {
  const all = editors();
  const hash = location.hash.slice(1);
  if (hash === "first") return all[0];
  if (hash === "last") return all[all.length - 1];
  const named = hash.startsWith("at-") && document.getElementById(hash.slice(3));
  if (named && named.matches("section.segment")) return named.querySelector(".editor");
  return document.querySelector("section.segment:not(.state-reviewed):not(.state-final) .editor");
}

function fill(section, template) {
  const source = section.querySelector(template);
  if (!source) return;
  const editor = section.querySelector(".editor");
  editor.replaceChildren(source.content.cloneNode(true));
  editor.focus();
  checkLater(section);
}

async function onKey(event) {
  const editor = event.target.closest(".editor");
  if (!editor) return;
  const section = sectionOf(editor);
  if (event.key === "Enter" && event.ctrlKey && event.shiftKey) {
    event.preventDefault();
    await save(section, "final");
  } else if (event.key === "Enter" && event.ctrlKey) {
    event.preventDefault();
    if (await save(section, "reviewed")) goToNextOpen(section);
  } else if (event.key === "Enter") {
    event.preventDefault(); // a segment is one line
  } else if (event.altKey && event.key === "ArrowDown") {
    event.preventDefault();
    move(editor, 1);
  } else if (event.altKey && event.key === "ArrowUp") {
    event.preventDefault();
    move(editor, -1);
  } else if (event.altKey && (event.key === "s" || event.key === "S")) {
    event.preventDefault();
    fill(section, ".tpl-source");
  } else if (event.altKey && (event.key === "m" || event.key === "M")) {
    event.preventDefault();
    fill(section, ".tpl-match");
  }
}

// Chips cannot be deleted or broken: an edit that removes one is undone.
const snapshots = new WeakMap();

function onBeforeInput(event) {
  const editor = event.target.closest(".editor");
  if (!editor) return;
  snapshots.set(editor, { html: editor.innerHTML, chips: chipCount(editor) });
  if (event.inputType === "insertFromPaste" || event.inputType === "insertFromDrop") {
    event.preventDefault();
    const text = event.dataTransfer ? event.dataTransfer.getData("text/plain") : "";
    if (text) document.execCommand("insertText", false, text.replace(/\s+/g, " "));
  }
}

function onInput(event) {
  const editor = event.target.closest(".editor");
  if (!editor) return;
  const before = snapshots.get(editor);
  if (before && chipCount(editor) < before.chips) {
    editor.innerHTML = before.html;
    const range = document.createRange();
    range.selectNodeContents(editor);
    range.collapse(false);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  checkLater(sectionOf(editor));
}

let dragged = null;

function onDragStart(event) {
  const chip = event.target.closest && event.target.closest(".editor .chip");
  if (!chip) return;
  dragged = chip;
  event.dataTransfer.setData("text/x-desk-chip", chip.dataset.marker);
  event.dataTransfer.effectAllowed = "move";
}

function onDrop(event) {
  const editor = event.target.closest && event.target.closest(".editor");
  if (!editor || !dragged || !editor.contains(dragged)) return;
  event.preventDefault();
  const range = document.caretRangeFromPoint
    ? document.caretRangeFromPoint(event.clientX, event.clientY)
    : null;
  if (range && editor.contains(range.startContainer)) {
    dragged.remove();
    range.insertNode(dragged);
  }
  dragged = null;
  checkLater(sectionOf(editor));
}

async function onClick(event) {
  const button = event.target.closest("button");
  if (!button) return;
  const section = sectionOf(button);
  if (!section) return;
  if (button.classList.contains("save")) {
    await save(section, button.dataset.state);
  } else if (button.classList.contains("copy-source")) {
    fill(section, ".tpl-source");
  } else if (button.classList.contains("copy-match")) {
    fill(section, ".tpl-match");
  } else if (button.classList.contains("revert")) {
    if (!reviewer()) {
      say(section, T.reviewer_needed, "error");
      return;
    }
    const { status, data } = await post("/api/revert", {
      segment: section.dataset.segment,
      lang: lang(),
      revision: Number(button.dataset.revision),
      base: section.dataset.base,
      reviewer: reviewer(),
    });
    if (status === 200) location.reload();
    else if (status === 409) showConflict(section, data.conflict);
    else say(section, T.error + ": " + (data.error || status), "error");
  } else if (button.classList.contains("keep-theirs")) {
    await resolve(button.closest(".conflict"), false);
  } else if (button.classList.contains("use-mine")) {
    await resolve(button.closest(".conflict"), true);
  }
}

function start() {
  const input = reviewerInput();
  if (input) {
    input.value = localStorage.getItem("desk-reviewer") || "";
    input.addEventListener("change", () => localStorage.setItem("desk-reviewer", reviewer()));
    input.addEventListener("input", () => localStorage.setItem("desk-reviewer", reviewer()));
  }
  const segments = document.getElementById("segments");
  if (!segments) return;
  segments.addEventListener("keydown", onKey);
  segments.addEventListener("beforeinput", onBeforeInput);
  segments.addEventListener("input", onInput);
  segments.addEventListener("dragstart", onDragStart);
  segments.addEventListener("dragover", (event) => {
    if (dragged) event.preventDefault();
  });
  segments.addEventListener("drop", onDrop);
  segments.addEventListener("click", onClick);
  const first = arrival();
  if (first) {
    first.focus();
    first.scrollIntoView({ block: "center" });
  }
}

start();
