// Small helpers the app's pages share: building elements, notices, Indonesian dates and numbers.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === "text") {
      node.textContent = value;
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? "" : value);
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child);
    }
  }
  return node;
}

export function notice(text, kind = "info") {
  const box = document.querySelector("[data-notice]");
  if (!box) {
    return;
  }
  box.textContent = text || "";
  box.dataset.kind = kind;
  box.hidden = !text;
}

const TIME = new Intl.DateTimeFormat("id-ID", {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});

export function when(iso) {
  if (!iso) {
    return "";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : TIME.format(date);
}

const NUMBER = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 3 });

export function number(value) {
  return NUMBER.format(Number(value));
}

// A decimal typed the Indonesian way ("2,5") or the other ("2.5"); NaN when it is not a number.
export function parseAmount(text) {
  const cleaned = String(text || "").trim().replace(",", ".");
  if (!cleaned || !/^\d+(\.\d+)?$/.test(cleaned)) {
    return Number.NaN;
  }
  return Number(cleaned);
}

export function parseCount(text) {
  const cleaned = String(text || "").trim();
  if (!cleaned) {
    return null;
  }
  return /^\d+$/.test(cleaned) ? Number(cleaned) : Number.NaN;
}

export function showError(form, message) {
  const box = form.querySelector("[data-form-error]");
  box.textContent = message || "";
  box.hidden = !message;
  if (message) {
    box.scrollIntoView({ block: "center" });
  }
}

export function option(value, label, selected = false) {
  return el("option", { value: String(value), text: label, selected });
}
