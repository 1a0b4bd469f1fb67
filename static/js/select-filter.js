// A filter box above every <select data-filter>: typing hides the options that do not contain the
// words, compared without diacritics ("binh an" finds "Đảng ủy xã Bình An" under each district).
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "vTextField select-filter";
    box.placeholder = select.getAttribute("data-filter-placeholder") || "Lọc theo tên…";
    box.setAttribute("aria-label", box.placeholder);
    select.parentNode.insertBefore(box, select);
    var keys = Array.prototype.map.call(select.options, function (o) { return fold(o.text); });
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option, i) {
        var show = !option.value || words.every(function (w) { return keys[i].indexOf(w) !== -1; });
        option.hidden = !show;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-filter]").forEach(attach);
  });
})();
