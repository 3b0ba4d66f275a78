// The field app's outbox count on the Tagana home page, read from the phone's own database.
import { isUnsent, needsAction, onChange, records } from "../field/outbox.js";

const output = document.getElementById("outbox-count");
const note = document.getElementById("outbox-note");

async function show() {
  try {
    const all = await records();
    const unsent = all.filter(isUnsent).length;
    const problems = all.filter(needsAction).length;
    output.textContent = String(unsent);
    output.dataset.state = unsent ? "waiting" : "empty";
    note.textContent = problems
      ? `${problems} catatan ditolak atau konflik: buka kotak keluar untuk memperbaikinya.`
      : unsent
        ? "Catatan menunggu sinyal; terkirim otomatis dari aplikasi lapangan."
        : "";
  } catch (error) {
    // Private browsing or an old browser: the count is unknown, the field app still says it.
    output.textContent = "?";
    output.dataset.state = "unknown";
    note.textContent = "Jumlah kotak keluar tidak dapat dibaca di peramban ini.";
  }
}

if (output) {
  onChange(show);
  show();
}
