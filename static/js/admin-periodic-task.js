/* django-celery-beat's periodic-task form in the Django admin: shows the chosen crontab in words.
   Its template had this inline; templates/admin/djcelery/change_periodictask_form.html loads it instead. */
(function ($) {
  "use strict";
  var readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var originalCrontabHelp = JSON.parse(document.getElementById("crontab-help").textContent);

  function updateCrontabHelp(additional) {
    var help = $(".field-crontab .help");
    help.text(originalCrontabHelp);
    help.append($("<br>"), document.createTextNode("Translation: " + additional));
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
  });
})(django.jQuery);
