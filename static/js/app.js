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
})();
