/* Wide tables scroll sideways inside .table-responsive on narrow screens. A region that scrolls must be
   reachable with the keyboard (WCAG 2.1.1), so while it actually overflows it becomes a focusable region
   named after the table's caption or the heading above it. Templates that set tabindex themselves are left
   alone. */
(function () {
  "use strict";

  function nameFor(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var headings = document.querySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6");
    var name = "";
    headings.forEach(function (heading) {
      if (heading.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) name = heading.textContent.trim();
    });
    return name;
  }

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var automatic = box.dataset.scrollRegion === "auto";
      if (!automatic && box.hasAttribute("tabindex")) return;
      if (box.scrollWidth > box.clientWidth + 1) {
        if (automatic) return;
        box.dataset.scrollRegion = "auto";
        box.tabIndex = 0;
        var name = nameFor(box);
        if (name) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name);
        }
      } else if (automatic) {
        delete box.dataset.scrollRegion;
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  var pending;
  function later() {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  }

  update();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", update);
})();
