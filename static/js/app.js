/* Every page: the service worker (the review page loads offline once visited), confirmations that say
   what will happen (data-confirm on a submit button), print buttons, and the offline cache emptied at
   logout. No inline script anywhere (the Content-Security-Policy forbids it). */
(function () {
  "use strict";
  var body = document.body;

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () { /* no offline, still works */ });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (event.defaultPrevented || form.hasAttribute("data-own-confirm")) return;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (form.hasAttribute("data-logout") && "caches" in window) {
      caches.delete("chithi03-pages");  // pages kept for offline use belong to this user
    }
  }, true);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  /* A table wider than the screen scrolls inside its box: keyboard users must reach it too. */
  function scrollable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) return;
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = box.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : (body.dataset.scrollLabel || ""));
    });
  }
  scrollable();
  window.addEventListener("resize", scrollable);
  document.addEventListener("htmx:afterSettle", scrollable);
})();
