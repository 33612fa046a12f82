// dangjian preview: live reload over Server-Sent Events. Injected by `dangjian serve` only.
(function () {
  "use strict";
  var here = decodeURIComponent(location.pathname).replace(/^\//, "");
  if (here === "" || here.slice(-1) === "/") here += "index.html";
  var overlayId = "dangjian-error-overlay";

  function showProblems(text) {
    var box = document.getElementById(overlayId);
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.92);" +
        "color:#fff;font:16px/1.6 monospace;padding:24px;";
      var title = document.createElement("p");
      title.style.cssText = "font-size:20px;font-weight:bold;color:#ffb4b4;margin:0 0 12px";
      title.textContent = "网站生成出错（显示的是上一次成功的版本）：";
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      box.appendChild(title);
      box.appendChild(pre);
      document.body.appendChild(box);
    }
    box.lastChild.textContent = text;
  }

  function clearProblems() {
    var box = document.getElementById(overlayId);
    if (box) box.parentNode.removeChild(box);
  }

  function swapStylesheets(paths) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      var file = decodeURIComponent(url.pathname).replace(/^\//, "");
      if (paths.indexOf(file) >= 0) {
        url.searchParams.set("dangjian-reload", Date.now());
        links[i].href = url.toString();
      }
    }
  }

  var source = new EventSource("/__dangjian/events?path=" + encodeURIComponent(here));
  source.addEventListener("reload", function (event) {
    var data = JSON.parse(event.data);
    if (data.paths.indexOf(here) >= 0) location.reload();
  });
  source.addEventListener("css", function (event) {
    swapStylesheets(JSON.parse(event.data).paths);
  });
  source.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data).text);
  });
  source.addEventListener("ok", clearProblems);
  // Too many tabs are open: this, the oldest, stops listening so the server can let it go.
  source.addEventListener("close", function () {
    source.close();
  });
})();
