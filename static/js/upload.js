// Image upload widgets (templates/images/_upload.html): drag-and-drop, a local preview, upload progress, checks
// before sending, and portraits that fall back to their generated placeholder when a picture can't be shown.
(function () {
  "use strict";

  var TYPES = ["image/jpeg", "image/png", "image/webp"];
  var previews = new WeakMap();

  function widgetOf(element) {
    return element && element.closest ? element.closest("[data-upload]") : null;
  }

  function part(widget, name) {
    return widget.querySelector("[data-upload-" + name + "]");
  }

  function setInvalid(widget, invalid) {
    var input = part(widget, "input");
    var hint = widget.id + "-hint";
    if (invalid) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", hint + " " + widget.id + "-error");
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", hint);
    }
  }

  function showError(widget, message) {
    var result = part(widget, "result");
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = widget.id + "-error";
    error.setAttribute("role", "alert");
    error.dataset.uploadFailed = "";
    error.textContent = message;
    result.replaceChildren(error);
    setInvalid(widget, true);
  }

  function setStatus(widget, text) {
    var status = part(widget, "status");
    if (status) status.textContent = text;
  }

  function problemWith(widget, file) {
    var limit = Number(widget.dataset.maxBytes || 0);
    if (file.type && TYPES.indexOf(file.type) < 0) return "That file is not a JPEG, PNG or WebP image.";
    if (limit && file.size > limit) {
      return "That file is " + (file.size / 1000000).toFixed(1) + " MB; images can be at most " +
        Math.round(limit / 1048576) + " MB.";
    }
    return null;
  }

  function showLocalPreview(widget, file) {
    var previous = previews.get(widget);
    if (previous) URL.revokeObjectURL(previous);
    var url = URL.createObjectURL(file);
    previews.set(widget, url);
    var figure = document.createElement("figure");
    figure.className = "upload-preview is-pending";
    var image = document.createElement("img");
    image.className = "portrait";
    image.src = url;
    image.alt = "Preview of the chosen picture (uploading)";
    image.width = 96;
    image.height = 96;
    figure.append(image);
    part(widget, "result").replaceChildren(figure);
  }

  // Checks run before htmx sends anything: a refused file never leaves the browser.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var input = event.detail.elt;
    var widget = widgetOf(input);
    if (!widget || input !== part(widget, "input")) return;
    var file = input.files && input.files[0];
    if (!file) {
      event.preventDefault();
      return;
    }
    var problem = problemWith(widget, file);
    if (problem) {
      event.preventDefault();
      showError(widget, problem);
      setStatus(widget, "");
      return;
    }
    setInvalid(widget, false);
    showLocalPreview(widget, file);
    var progress = part(widget, "progress");
    progress.value = 0;
    progress.textContent = "0%";
    progress.hidden = false;
    widget.classList.add("is-uploading");
    setStatus(widget, "Uploading " + file.name + "…");
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var widget = widgetOf(event.target);
    if (!widget || !event.detail.lengthComputable || !event.detail.total) return;
    var progress = part(widget, "progress");
    var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    if (percent < progress.value) return; // the download of the answer starts again from zero
    progress.value = percent;
    progress.textContent = percent + "%";
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var widget = widgetOf(event.detail.elt);
    if (!widget || event.detail.elt !== part(widget, "input")) return;
    part(widget, "progress").hidden = true;
    widget.classList.remove("is-uploading");
    // A refusal (422) is swapped in as the message beside the field: it is the one outcome shown, not "Uploaded."
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.detail.successful && status >= 200 && status < 300) {
      setStatus(widget, "Uploaded.");
    } else {
      setStatus(widget, "");
      if (!event.detail.xhr || !event.detail.xhr.status) showError(widget, "The upload did not reach Tavern. Try again.");
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var widget = widgetOf(event.detail.target);
    if (!widget || event.detail.target !== part(widget, "result")) return;
    setInvalid(widget, Boolean(event.detail.target.querySelector("[data-upload-failed]")));
  });

  // Drag-and-drop: a dropped file goes into the input, whose change event sends it like a chosen one.
  function dropZoneOf(event) {
    return event.target.closest ? event.target.closest("[data-drop-zone]") : null;
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = dropZoneOf(event);
      if (!zone || !event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("is-dragging");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = dropZoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-dragging");
  });

  document.addEventListener("drop", function (event) {
    var zone = dropZoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("is-dragging");
    var widget = widgetOf(zone);
    var input = widget && part(widget, "input");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!input || !files || !files.length) return;
    var transfer = new DataTransfer();
    transfer.items.add(files[0]);
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // A stored picture that can't be shown (deleted, or PRIVATE to this visitor) gives way to its placeholder.
  function fallBack(image) {
    var fallback = image.dataset.fallback;
    delete image.dataset.fallback;
    image.src = fallback;
  }

  document.addEventListener("error", function (event) {
    var image = event.target;
    if (image instanceof HTMLImageElement && image.dataset.fallback) fallBack(image);
  }, true);

  // This script is deferred: a quick 404 may have come back before the listener above was there.
  document.querySelectorAll("img[data-fallback]").forEach(function (image) {
    if (image.complete && image.naturalWidth === 0) fallBack(image);
  });
})();
