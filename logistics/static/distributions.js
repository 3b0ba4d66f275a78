// Field form: show only the items of the chosen warehouse; the form works without this script.
(function () {
  var store = document.querySelector("[data-stock-select]");
  if (!store) return;
  function filter() {
    document.querySelectorAll(".item-select").forEach(function (select) {
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = !store.value || group.dataset.warehouse === store.value;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var chosen = select.selectedOptions[0];
      if (chosen && chosen.parentElement.disabled) select.value = "";
    });
  }
  store.addEventListener("change", filter);
  filter();
  // An item picked before the warehouse (several warehouses hold stock) picks its warehouse too,
  // instead of a refusal that asks for it after the tap on Simpan.
  document.querySelectorAll(".item-select").forEach(function (select) {
    select.addEventListener("change", function () {
      var chosen = select.selectedOptions[0];
      var group = chosen && chosen.parentElement;
      if (!store.value && group && group.dataset.warehouse) {
        store.value = group.dataset.warehouse;
        filter();
      }
    });
  });
  // A second tap while the first submission is on its way would only replay it: say so instead.
  var form = document.getElementById("distribution-form");
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    setTimeout(function () { button.disabled = true; button.textContent = "Menyimpan…"; }, 0);
  });
})();
