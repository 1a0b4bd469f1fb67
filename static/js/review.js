/* The monthly record: saved in the background, kept in the browser until the server has it, usable offline.

   Every change is copied at once to localStorage (key data-store-key: user, cell, month) and posted
   1.2 s later with the header X-Autosave (JSON answer, no reload). The copy is removed only when a
   save of exactly that content is confirmed. Offline, the page says so and sends when the browser is
   back online. A 409 (another editor saved first) shows both versions; the user chooses. */
(function () {
  "use strict";

  var done = document.querySelector("[data-review-done]");
  if (done) { try { localStorage.removeItem(done.dataset.reviewDone); } catch (e) { /* storage off */ } }

  var form = document.getElementById("review-form");
  if (!form) return;
  var editable = form.dataset.autosave === "1";
  var key = form.dataset.storeKey;
  var stateEl = document.getElementById("save-state");
  var offline = document.getElementById("offline-banner");
  var summary = document.getElementById("errors");
  var conflictBox = document.getElementById("conflict-live");
  var version = form.querySelector("input[name=version]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null, inFlight = false, changes = 0, conflicted = false, confirmed = null;

  function text(name, t) { return (form.dataset[name] || "").replace("{t}", t || ""); }
  function setState(message, bad) {
    if (!stateEl) return;
    stateEl.textContent = message;
    stateEl.classList.toggle("text-danger", !!bad);
  }

  /* -- counters: "12/19 đã đánh giá", "19 đảng viên: 18 có mặt, 1 vắng" --------------------- */
  function fill(name, values) {
    var el = document.querySelector("[data-counter='" + name + "']");
    if (!el) return;
    var out = el.dataset.pattern;
    Object.keys(values).forEach(function (k) { out = out.replace("{" + k + "}", String(values[k])); });
    el.textContent = out;
  }
  function updateCounts() {
    var rows = form.querySelectorAll(".member-row");
    var present = 0, rated = 0;
    rows.forEach(function (row) {
      var box = row.querySelector("input[name$='-present']");
      var here = !box || box.checked;
      row.classList.toggle("is-absent", !here);
      if (here) {
        present += 1;
        if (row.querySelector("input[type=radio]:checked")) rated += 1;
      }
    });
    fill("attendance", { e: rows.length, p: present, a: rows.length - present });
    fill("rated", { r: rated, n: present });
  }

  /* -- Enter in a one-line field goes to the next field, never submits ----------------------- */
  form.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.key !== "Enter" || t.tagName !== "INPUT" || t.type === "submit") return;
    event.preventDefault();
    var fields = Array.prototype.filter.call(
      form.querySelectorAll("input[type=text], input[type=number], input[type=date], textarea"),
      function (el) { return el.offsetParent !== null && !el.disabled; });
    var next = fields[fields.indexOf(t) + 1];
    if (next) next.focus();
  });

  if (!editable) { updateCounts(); return; }

  /* -- the copy in the browser ---------------------------------------------------------------- */
  function snapshot() {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") out.push([name, String(value)]);
    });
    return out;
  }
  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ version: Number(version.value), fields: snapshot(), at: Date.now() }));
    } catch (e) { /* storage full or off: the server save still runs */ }
  }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function restore(copy) {
    var values = {};
    copy.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    form.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") return;
      var vals = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = vals.indexOf(el.value) >= 0;
      else if (vals.length) el.value = vals[0];
    });
    form.querySelectorAll(".member-row").forEach(function (row) {
      var extra = row.querySelector("input[name$='-absence_reason']");
      var more = row.querySelector(".row-more");
      if (more && extra && (extra.value || row.querySelector(".row-more input[type=checkbox]:checked"))) more.open = true;
    });
    version.value = String(copy.version);
  }

  /* -- offline ------------------------------------------------------------------------------- */
  function showOffline(on) { if (offline) offline.hidden = !on; }

  /* -- errors and conflicts ------------------------------------------------------------------ */
  function showErrors(items) {
    if (!summary) return;
    var list = summary.querySelector("ul");
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      if (item.href) {
        var a = document.createElement("a");
        a.href = item.href; a.className = "alert-link"; a.textContent = item.text;
        li.appendChild(a);
      } else { li.textContent = item.text; }
      list.appendChild(li);
    });
    summary.hidden = items.length === 0;
  }
  function showConflict(data) {
    conflicted = true;
    conflictBox.querySelector("[data-conflict-who]").textContent = data.who || "";
    var body = conflictBox.querySelector("tbody");
    body.textContent = "";
    (data.diff || []).forEach(function (d) {
      var tr = document.createElement("tr");
      [d.label, d.mine, d.theirs].forEach(function (value, i) {
        var cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row"; else cell.className = "pre-wrap";
        cell.textContent = value;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    conflictBox.dataset.version = String(data.version);
    conflictBox.hidden = false;
    conflictBox.focus();
  }
  conflictBox.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-conflict]");
    if (!choice) return;
    if (choice.dataset.conflict === "mine") {
      version.value = conflictBox.dataset.version;
      conflicted = false;
      conflictBox.hidden = true;
      store();
      save();
    } else {
      try { localStorage.removeItem(key); } catch (e) { /* nothing to remove */ }
      window.location.reload();
    }
  });

  /* -- the background save ------------------------------------------------------------------- */
  function save() {
    clearTimeout(timer);
    if (conflicted) return;
    if (inFlight) { timer = setTimeout(save, 400); return; }
    var mark = changes;
    store();
    if (navigator.onLine === false) { showOffline(true); setState(text("textLocal")); return; }
    inFlight = true;
    setState(text("textSaving"));
    var body = new FormData(form);
    body.set("action", "save");
    fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Autosave": "1", "X-CSRFToken": csrf ? csrf.value : "", "Accept": "application/json" },
    }).then(function (resp) {
      var json = (resp.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("not json");
      return resp.json().then(function (data) { return { status: resp.status, data: data }; });
    }).then(function (res) {
      inFlight = false;
      showOffline(false);
      if (res.status === 200) {
        version.value = String(res.data.version);
        if (mark === changes) { try { localStorage.removeItem(key); } catch (e) { /* gone */ } } else { store(); }
        setState(text("textSaved", res.data.saved_at));
        showErrors([]);
        var badge = document.getElementById("review-state");
        if (badge && res.data.state) badge.textContent = res.data.state;
        if (confirmed) form.requestSubmit(confirmed);
      } else if (res.status === 409) {
        showConflict(res.data);
      } else {
        showErrors(res.data.errors || []);
        setState(text("textFailed"), true);
      }
    }).catch(function () {
      inFlight = false;
      showOffline(true);
      setState(text("textLocal"));
    });
  }
  function changed() {
    changes += 1;
    store();
    updateCounts();
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-rate-rest]")) setTimeout(changed, 0);  // set by pledges.js, no event
  });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.value === "save") {  // "Lưu nháp": the same background save, now
      event.preventDefault();
      event.stopPropagation();
      changes += 1;
      save();
      return;
    }
    if (navigator.onLine === false) {
      event.preventDefault();
      event.stopPropagation();
      store();
      showOffline(true);
      showErrors([{ href: "", text: text("textOfflineSend") }]);
      summary.focus();
      return;
    }
    if (button && button !== confirmed && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    clearTimeout(timer);
    if (inFlight) {  // a background save is on its way: send after it, with the version it returns
      event.preventDefault();
      event.stopPropagation();
      confirmed = button;
      return;
    }
    confirmed = null;
  });

  window.addEventListener("online", function () { showOffline(false); if (stored()) save(); });
  window.addEventListener("offline", function () { showOffline(true); });

  /* -- on load: a copy left in the browser wins over the page (it may be a cached page) ----- */
  var copy = stored();
  if (copy && copy.fields) {
    if (JSON.stringify(copy.fields) === JSON.stringify(snapshot()) && copy.version === Number(version.value)) {
      try { localStorage.removeItem(key); } catch (e) { /* gone */ }
    } else {
      restore(copy);
      setState(text("textRestored"));
      timer = setTimeout(save, 1200);
    }
  }
  if (navigator.onLine === false) showOffline(true);
  updateCounts();
  var conflictNow = document.getElementById("conflict");
  if (conflictNow) conflictNow.focus();
  else if (summary && !summary.hidden) summary.focus();
})();
