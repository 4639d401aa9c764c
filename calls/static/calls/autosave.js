// Drafts save themselves while being typed (texts only; the file goes with the Save button).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector("[data-testid=autosave-status]");
  var idField = form.querySelector("input[name=submission]");
  var timer = null;
  var busy = false;
  function save() {
    if (busy) { timer = setTimeout(save, 1000); return; }
    busy = true;
    var data = new FormData(form);
    data.delete("file");
    data.delete("action");
    fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (res.ok && res.body.id) {
          if (!idField.value) {
            idField.value = res.body.id;
            var edit = form.dataset.editBase + res.body.id + "/";
            form.setAttribute("action", edit);
            if (window.history && history.replaceState) history.replaceState(null, "", edit);
          }
          if (status && res.body.saved) status.textContent = document.documentElement.lang === "ar" ? "حُفظت المسودة" : "Draft saved";
        }
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  form.addEventListener("input", function (e) {
    if (e.target && e.target.type === "file") return;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
})();
