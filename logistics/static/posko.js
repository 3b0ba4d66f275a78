// Behaviour every page shares, bound from data attributes (the CSP allows no inline handlers):
// data-print prints the page, data-confirm asks before its form is submitted, data-nav-toggle
// opens the phone menu, and table scroll boxes become reachable by keyboard.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-print]");
    if (!trigger) { return; }
    event.preventDefault();
    window.print();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // The phone menu closes with Escape and when focus leaves it, so it never stays open over
  // the form a person moved on to; Escape hands focus back to the toggle.
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  function setOpen(open, refocus) {
    nav.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (refocus) { toggle.focus(); }
  }
  if (nav) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      setOpen(open, false);
      if (open) {
        var first = nav.querySelector("a, button");
        if (first) { first.focus(); }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false, true);
      }
    });
    nav.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (toggle.getAttribute("aria-expanded") !== "true" || !next) { return; }
      if (!nav.contains(next) && next !== toggle) { setOpen(false, false); }
    });
    document.addEventListener("click", function (event) {
      if (toggle.getAttribute("aria-expanded") !== "true") { return; }
      if (!nav.contains(event.target) && !toggle.contains(event.target)) { setOpen(false, false); }
    });
  }

  // A table wider than its box scrolls inside it: the box takes focus so arrow keys scroll it,
  // named after the table's caption or the heading before it.
  function reachable(box) {
    if (box.scrollWidth <= box.clientWidth) {
      box.removeAttribute("tabindex");
      return;
    }
    box.setAttribute("tabindex", "0");
    if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      var caption = box.querySelector("caption");
      var heading = caption ? null : box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) { heading = heading.previousElementSibling; }
      var name = (caption || heading || document.querySelector("h1") || {}).textContent || "Tabel";
      box.setAttribute("aria-label", name.trim() + " (tabel, geser ke samping)");
    }
  }
  function reachAll() { document.querySelectorAll(".table-wrap").forEach(reachable); }
  reachAll();
  window.addEventListener("resize", reachAll);

  // A link to a part of the page folded in a <details> opens it, so the jump lands somewhere.
  function unfoldTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var unfolded = false;
    for (var box = target; box; box = box.parentElement) {
      if (box.tagName === "DETAILS" && !box.open) { box.open = true; unfolded = true; }
    }
    if (unfolded) { target.scrollIntoView(); }
  }
  unfoldTarget();
  window.addEventListener("hashchange", unfoldTarget);
  // A table in a folded section has no width until the section opens.
  document.addEventListener("toggle", reachAll, true);
})();
