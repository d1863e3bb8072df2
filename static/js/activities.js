// Activities pages: the scoped child picker (chips with hidden inputs) and formsets whose rows
// can be added on a phone. No inline scripts (CSP); the server re-checks every chosen child.
(function () {
  "use strict";

  function pickerOf(el) { return el.closest("[data-child-picker]"); }

  function updateCount(picker) {
    var count = picker.querySelectorAll("[data-chip]").length;
    var label = picker.querySelector("[data-chip-count]");
    if (label) { label.textContent = String(count); }
  }

  function addChild(picker, button) {
    var id = button.getAttribute("data-id");
    var chips = picker.querySelector("[data-chips]");
    if (!id || chips.querySelector('[data-chip][data-id="' + CSS.escape(id) + '"]')) {
      button.classList.add("disabled");
      return;
    }
    var chip = document.createElement("span");
    chip.className = "badge text-bg-primary d-inline-flex align-items-center gap-1 p-2 fs-6 fw-normal";
    chip.setAttribute("data-chip", "");
    chip.setAttribute("data-id", id);
    chip.appendChild(document.createTextNode(button.getAttribute("data-name") || ""));
    var detail = document.createElement("small");
    detail.textContent = "（" + (button.getAttribute("data-detail") || "") + "）";
    chip.appendChild(detail);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.getAttribute("data-field");
    input.value = id;
    chip.appendChild(input);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close btn-close-white ms-1";
    remove.setAttribute("data-remove-chip", "");
    remove.setAttribute("aria-label", "移除 " + (button.getAttribute("data-name") || ""));
    chip.appendChild(remove);
    chips.appendChild(chip);
    button.classList.add("disabled");
    updateCount(picker);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var add = target.closest("[data-add-child]");
    if (add && pickerOf(add)) {
      event.preventDefault();
      addChild(pickerOf(add), add);
      return;
    }
    var addAll = target.closest("[data-add-all]");
    if (addAll && pickerOf(addAll)) {
      event.preventDefault();
      var list = addAll.closest("[data-picker-results]");
      list.querySelectorAll("[data-add-child]").forEach(function (button) {
        addChild(pickerOf(addAll), button);
      });
      return;
    }
    var remove = target.closest("[data-remove-chip]");
    if (remove && pickerOf(remove)) {
      event.preventDefault();
      var picker = pickerOf(remove);
      remove.closest("[data-chip]").remove();
      updateCount(picker);
      return;
    }
    var addRow = target.closest("[data-formset-add]");
    if (addRow) {
      event.preventDefault();
      var formset = addRow.closest("[data-formset]");
      var prefix = formset.getAttribute("data-formset");
      var total = formset.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
      var max = formset.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { return; }
      var template = formset.querySelector("template[data-formset-template]");
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      formset.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    }
  });

  // Enter in the search box must search, not submit the whole activity form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-child-picker] input[type=search]")) {
      event.preventDefault();
    }
  });
})();
