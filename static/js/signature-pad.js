// Optional drawn signature: a canvas that writes a PNG data URL into the hidden field.
(function () {
  var canvas = document.getElementById("signature-pad");
  var field = document.getElementById("id_drawn_signature");
  if (!canvas || !field) return;
  var ctx = canvas.getContext("2d");
  var drawing = false, drawn = false;
  function resize() {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = 160 * ratio;
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2; ctx.lineCap = "round"; ctx.strokeStyle = "#0b1f3a";
  }
  function point(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
  canvas.addEventListener("pointerdown", function (e) { drawing = true; var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); });
  canvas.addEventListener("pointermove", function (e) { if (!drawing) return; var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true; });
  ["pointerup", "pointerleave"].forEach(function (t) { canvas.addEventListener(t, function () { drawing = false; }); });
  document.getElementById("signature-clear").addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; field.value = ""; });
  var details = canvas.closest("details");
  if (details) details.addEventListener("toggle", function () { if (details.open) resize(); });
  var form = document.getElementById("sign-form"), submit = document.getElementById("sign-submit");
  form.addEventListener("submit", function () {
    if (drawn) field.value = canvas.toDataURL("image/png");
    submit.disabled = true;  // one click, one request (the server is idempotent anyway)
  });
})();
