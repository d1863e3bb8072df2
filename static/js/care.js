// Screening entry on a phone (no inline script: the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  // Step 1: offer only the respondents the chosen instrument allows.
  var start = document.getElementById("screening-start");
  var mapNode = document.getElementById("respondents-by-instrument");
  if (start && mapNode) {
    var allowed = JSON.parse(mapNode.textContent);
    var instrument = start.querySelector("select[name=instrument]");
    var respondent = start.querySelector("select[name=respondent]");
    var narrow = function () {
      var ok = allowed[instrument.value] || [];
      Array.prototype.forEach.call(respondent.options, function (option) {
        option.disabled = ok.indexOf(option.value) === -1;
      });
      if (respondent.selectedOptions.length && respondent.selectedOptions[0].disabled && ok.length) {
        respondent.value = ok[0];
      }
    };
    if (instrument && respondent) {
      instrument.addEventListener("change", narrow);
      narrow();
    }
  }

  // Step 2: show how many items are answered and move on to the next item once one is.
  var form = document.getElementById("screening-items");
  if (!form) { return; }
  var progress = form.querySelector(".screening-progress");
  var items = Array.prototype.slice.call(form.querySelectorAll(".screening-item"));
  var answered = function (item) { return item.querySelector("input[type=radio]:checked") !== null; };
  var update = function () {
    var done = items.filter(answered).length;
    if (progress) { progress.textContent = "已答 " + done + " / " + items.length + " 题"; }
  };
  items.forEach(function (item, index) {
    item.addEventListener("change", function () {
      update();
      var next = items.slice(index + 1).find(function (other) { return !answered(other); });
      if (next) { next.scrollIntoView({ behavior: "smooth", block: "center" }); }
    });
  });
  update();
});
