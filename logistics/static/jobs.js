// Poll unfinished jobs and move their progress bars until they finish.
(function () {
  function poll(box) {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        box.querySelector("progress").value = job.progress;
        box.querySelector(".job-percent").textContent = job.progress + "%";
        var status = box.querySelector(".job-status");
        status.textContent = job.status_label;
        status.className = "job-status status-" + job.status;
        box.querySelector(".job-message").textContent = job.status === "failed" ? (job.error || job.message) : job.message;
        if (job.status === "finished" || job.status === "failed") {
          // Reload once so result, error and the retry button render from the server; only the
          // server marks the box done (data-done), so a page that waits for that mark knows the
          // reload has happened.
          setTimeout(function () { window.location.reload(); }, 600);
        } else {
          setTimeout(function () { poll(box); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll(".progress[data-done='false']").forEach(poll);
})();
