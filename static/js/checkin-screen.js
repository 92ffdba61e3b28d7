/* The room's screen for self check-in (templates/socialization/checkin_screen.html): fetches a new QR code from
   data-code-url when the current one is about to change, counts down, offers full screen; and the poster's print
   button. No inline script: the page works under a Content-Security-Policy without 'unsafe-inline'. */
(function () {
  "use strict";

  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  var root = document.querySelector("[data-checkin-screen]");
  if (!root) return;
  var code = root.querySelector("[data-room-code]");
  var message = root.querySelector("[data-state-message]");
  var countdown = root.querySelector("[data-countdown]");
  var countdownBox = root.querySelector("[data-countdown-box]");
  var fullscreen = root.querySelector("[data-fullscreen]");
  var left = parseInt(root.dataset.refreshIn, 10) || 5;
  var loading = false;

  function show(data) {
    code.innerHTML = data.qr; // an SVG the server drew from its own link: no user content
    code.hidden = !data.qr;
    countdownBox.hidden = !data.qr;
    message.textContent = data.message;
    message.hidden = !data.message;
    message.dataset.state = data.state;
    left = Math.max(1, data.refresh_in);
    countdown.textContent = left;
  }

  function load() {
    loading = true;
    fetch(root.dataset.codeUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(show)
      .catch(function () {
        message.textContent = root.dataset.offlineMessage;
        message.hidden = false;
        left = 5;
      })
      .then(function () { loading = false; });
  }

  window.setInterval(function () {
    if (loading) return;
    left -= 1;
    if (left <= 0) load();
    else countdown.textContent = left;
  }, 1000);

  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });
  }
})();
