// Visit forms: behaviour that would otherwise be inline script (the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  var MAX_BYTES = 5 * 1024 * 1024;

  // Show the follow-up note only when a follow-up is needed.
  var followUp = document.querySelector("input[name=follow_up_needed]");
  var followNote = document.querySelector("[name=follow_up_note]");
  if (followUp && followNote) {
    var noteBlock = followNote.closest(".mb-3");
    var sync = function () {
      if (noteBlock) { noteBlock.hidden = !followUp.checked && !followNote.value; }
    };
    followUp.addEventListener("change", sync);
    sync();
  }

  // Warn before uploading a photo the server will refuse (saves mobile data in the field).
  document.querySelectorAll("input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.filter.call(input.files || [], function (f) {
        return f.size > MAX_BYTES;
      });
      if (tooBig.length) {
        input.setCustomValidity("每张图片不能超过 5 MB，请压缩或重新拍摄后再上传。");
        input.reportValidity();
      } else {
        input.setCustomValidity("");
      }
    });
  });

  // On the review form, a return needs a comment: say so as soon as "退回" is chosen.
  var review = document.querySelector("form.review-form");
  if (review) {
    var comment = review.querySelector("[name=comment]");
    review.querySelectorAll("input[name=decision]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (comment) { comment.required = radio.value === "return" && radio.checked; }
      });
    });
  }
});
