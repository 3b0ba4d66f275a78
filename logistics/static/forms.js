// After a refused submit the page opens where the reader must act: focus goes to the summary of
// errors (or warnings) at the top of the form, and a link in it focuses its field.
const summary = document.querySelector("[data-form-summary]");
if (summary) {
  summary.focus();
  summary.scrollIntoView({ block: "start" });
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
}
