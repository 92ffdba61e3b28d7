/* Small behaviours the templates ask for with data attributes: the Content-Security-Policy allows no inline
   script or on...= handler, so they live here.
   - data-select-on-focus: a read-only field (a link to copy) selects its text when it gets focus.
   - data-check-all="<selector>": a checkbox that ticks or unticks every checkbox the selector finds. */
(function () {
  "use strict";

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) field.select();
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.checkAll) return;
    document.querySelectorAll(box.dataset.checkAll).forEach(function (other) {
      if (!other.disabled) other.checked = box.checked;
    });
  });
})();
