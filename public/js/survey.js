// Progressive enhancement of the survey questionnaire: sections whose question does not apply
// (data-when="field=value") are hidden. Without this file every section shows, and the server
// ignores the answers of sections that do not apply.
document.addEventListener('DOMContentLoaded', function () {
  var form = document.querySelector('.survey-form');
  if (!form) return;
  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : '';
  }
  function update() {
    form.querySelectorAll('[data-when]').forEach(function (section) {
      var rule = section.getAttribute('data-when').split('=');
      section.hidden = checked(rule[0]) !== rule[1];
    });
  }
  form.addEventListener('change', update);
  update();
});
