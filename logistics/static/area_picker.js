// The area picker: the plain code input of templates/_area_picker.html becomes a searchable
// combobox (WAI-ARIA combobox with a listbox popup). Typing asks /wilayah/cari (debounced),
// arrow keys move through the answers, Enter or a tap chooses. The code input stays in the form,
// hidden, and holds the chosen code(s): the form submits exactly what it would without script.

const DELAY_MS = 200;
const CODE = /^[\d.\s,;]+$/;
let pickers = 0;

function splitCodes(text) {
  return (text || "").split(/[\s,;]+/).filter(Boolean);
}

function element(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
  if (text) { node.textContent = text; }
  return node;
}

function enhance(root) {
  const codeInput = root.querySelector("input[type=text]");
  const label = root.querySelector("label");
  const multiple = root.hasAttribute("data-multiple");
  const labels = JSON.parse(root.dataset.labels || "{}");
  const id = codeInput.id;
  const listId = `area-picker-${++pickers}-list`;

  // The combobox takes over the id, so the label and the error summary's links reach it.
  const combo = element("input", {
    type: "text",
    id,
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "Ketik nama atau kode",
  });
  ["aria-describedby", "aria-invalid"].forEach((name) => {
    if (codeInput.hasAttribute(name)) { combo.setAttribute(name, codeInput.getAttribute(name)); }
  });
  codeInput.id = `${id}-code`;
  codeInput.type = "hidden";
  codeInput.removeAttribute("list");
  const list = element("ul", { id: listId, role: "listbox", "aria-label": label.textContent.trim() });
  list.hidden = true;
  const status = element("p", { class: "area-picker-status", "aria-live": "polite" });
  const chips = element("ul", { class: "area-picker-chips", "aria-label": "Terpilih" });
  const hint = root.querySelector("[data-no-script-hint]");
  if (hint) {
    hint.textContent = multiple
      ? "Ketik nama atau kode, pilih dengan panah dan Enter; bisa lebih dari satu."
      : "Ketik nama atau kode, pilih dengan panah dan Enter.";
  }
  codeInput.after(combo, list, status);
  if (multiple) { label.after(chips); }

  let codes = splitCodes(codeInput.value);
  let items = [];
  let active = -1;
  let timer = null;
  let asked = 0;
  if (!multiple) { combo.value = labels[codes[0]] || codes[0] || ""; }

  function save() {
    codeInput.value = codes.join(" ");
    if (multiple) { drawChips(); }
  }

  function drawChips() {
    chips.replaceChildren(...codes.map((code) => {
      const name = labels[code] || code;
      const chip = element("li", {}, name);
      const remove = element("button", { type: "button", class: "area-chip-remove", "aria-label": `Hapus ${name}` }, "×");
      remove.addEventListener("click", () => {
        codes = codes.filter((c) => c !== code);
        save();
        status.textContent = `${name} dihapus.`;
        combo.focus();
      });
      chip.append(remove);
      return chip;
    }));
    chips.hidden = codes.length === 0;
  }

  function show(open) {
    list.hidden = !open;
    combo.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { setActive(-1); }
  }

  function setActive(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) { option.scrollIntoView({ block: "nearest" }); }
    });
    if (index >= 0) {
      combo.setAttribute("aria-activedescendant", `${listId}-${index}`);
    } else {
      combo.removeAttribute("aria-activedescendant");
    }
  }

  function draw(found, more) {
    items = found;
    list.replaceChildren(...found.map((item, i) => {
      const option = element("li", { role: "option", id: `${listId}-${i}`, "aria-selected": "false" });
      const rest = item.chain.slice(item.label.length).replace(/^,\s*/, "");
      const chosen = codes.includes(item.code) ? " ✓" : "";
      option.append(element("span", { class: "area-option-name" }, item.label + chosen));
      option.append(element("span", { class: "area-option-chain" }, [rest, item.code].filter(Boolean).join(" · ")));
      return option;
    }));
    if (more) {
      list.append(element("li", { class: "area-option-more", "aria-hidden": "true" }, "Ketik lebih banyak untuk mempersempit…"));
    }
    status.textContent = found.length
      ? `${found.length}${more ? "+" : ""} hasil; panah bawah untuk memilih.`
      : "Tidak ada wilayah yang cocok.";
    show(found.length > 0);
  }

  async function search() {
    const ticket = ++asked;
    const url = new URL(root.dataset.url, window.location.href);
    const text = combo.value.trim();
    // A single field showing its chosen area lists its neighbours rather than only itself.
    const chosen = !multiple && codes.length && labels[codes[0]] === text;
    url.searchParams.set("q", chosen ? "" : text);
    // Nothing typed: a kab/kota office's whole short list, a province's kab/kota.
    url.searchParams.set("batas", chosen || !text ? "50" : "20");
    url.searchParams.set("tingkat", root.dataset.levels || "");
    url.searchParams.set("untuk", root.dataset.purpose || "lihat");
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) { throw new Error(String(response.status)); }
      const body = await response.json();
      if (ticket === asked) { draw(body.items, body.more); }
    } catch (error) {
      if (ticket === asked) { status.textContent = "Pencarian wilayah gagal; tulis kodenya."; }
    }
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY_MS);
  }

  function choose(index) {
    const item = items[index];
    if (!item) { return; }
    labels[item.code] = item.chain;
    if (multiple) {
      if (!codes.includes(item.code)) { codes.push(item.code); }
      combo.value = "";
    } else {
      codes = [item.code];
      combo.value = item.chain;
    }
    save();
    show(false);
    status.textContent = `${item.chain} dipilih.`;
  }

  // Codes typed whole into a multiple field count as chosen (as they would without script).
  function takeTypedCodes() {
    const text = combo.value.trim();
    if (!text || !CODE.test(text)) { return false; }
    splitCodes(text).forEach((code) => { if (!codes.includes(code)) { codes.push(code); } });
    combo.value = "";
    save();
    show(false);
    return true;
  }
  const form = root.closest("form");
  if (form && multiple) { form.addEventListener("submit", takeTypedCodes); }

  combo.addEventListener("input", () => {
    if (!multiple) {
      // A typed code is kept as typed; a changed name is no choice until one is picked.
      const text = combo.value.trim();
      codes = CODE.test(text) ? [text] : [];
      save();
    }
    later();
  });
  combo.addEventListener("focus", () => { if (list.hidden && !combo.value) { later(); } });
  combo.addEventListener("keydown", (event) => {
    const open = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) { search(); return; }
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(Math.max(0, Math.min(items.length - 1, active + step)));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Enter" && multiple && takeTypedCodes()) {
      event.preventDefault();
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      show(false);
    } else if (event.key === "Backspace" && multiple && !combo.value && codes.length) {
      codes = codes.slice(0, -1);
      save();
    }
  });
  // A tap keeps the focus in the field, so the list does not close before the choice.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) { choose(Number(option.id.slice(listId.length + 1))); }
  });
  root.addEventListener("focusout", (event) => {
    if (!root.contains(event.relatedTarget)) { show(false); }
  });
  // Another script may fill the code (a shelter's point lookup): show what it chose.
  codeInput.addEventListener("change", () => {
    codes = splitCodes(codeInput.value);
    if (multiple) { drawChips(); } else { combo.value = labels[codes[0]] || codes[0] || ""; }
  });
  if (multiple) { drawChips(); }
}

document.querySelectorAll("[data-area-picker]").forEach(enhance);
