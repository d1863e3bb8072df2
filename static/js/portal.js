// Portal behaviour that would otherwise be inline script (the CSP forbids inline scripts).
document.addEventListener("DOMContentLoaded", function () {
  // A failed save: tie each message to its field, move focus to the error summary at the
  // top (a screen reader reads it, a phone shows it), and let its links focus the field.
  document.querySelectorAll("[data-error-for]").forEach(function (message) {
    var field = document.getElementById(message.getAttribute("data-error-for"));
    if (!field || field.tagName === "FIELDSET") { return; }
    field.setAttribute("aria-invalid", "true");
    field.classList.add("is-invalid");
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(message.id) < 0) { described.push(message.id); }
    field.setAttribute("aria-describedby", described.join(" "));
  });
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[data-error-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        // A group of radios or check boxes: its first option.
        var field = target.tagName === "FIELDSET" ? target.querySelector("input, select, textarea") : target;
        var box = target.closest(".mb-3") || target;
        box.scrollIntoView({block: "start"});
        if (field) { field.focus({preventScroll: true}); }
      });
    });
  }
  // Ask before leaving a form with unsaved changes: field work on a phone is easily lost.
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  });
  // Buttons that need a confirmation carry data-confirm="question".
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
document.body && document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
// A table wider than the phone scrolls inside its box: let the keyboard reach and scroll it
// too (WCAG 2.1.1), with its caption or heading as its name.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var label = box.getAttribute("aria-label") || box.getAttribute("data-label");
      var caption = box.querySelector("caption");
      box.setAttribute("aria-label", label || (caption ? caption.textContent.trim() : document.title));
    }
  });
});
