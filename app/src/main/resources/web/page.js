// de-agent incidents page: the one script. The page works without it; it only shows each time in the
// reader's own time zone (the server writes UTC), keeping the UTC time as the element's tooltip.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  function localise() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      if (t.getAttribute("datetime").indexOf("T") < 0) continue;
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d.getTime())) continue;
      t.title = t.textContent;
      t.textContent = format.format(d);
    }
    document.documentElement.setAttribute("data-times", "local");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localise);
  } else {
    localise();
  }
})();
