// Behaviour every page shares, bound from data attributes (the CSP allows no inline handlers):
// data-print prints the page, data-confirm asks before its form is submitted.
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
})();
