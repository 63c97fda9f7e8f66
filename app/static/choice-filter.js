// Show a filter box above long checkbox lists and hide the options that do not match it.
document.querySelectorAll("input[data-filters]").forEach((input) => {
  const list = document.getElementById(input.dataset.filters);
  if (!list) return;
  input.closest(".choice-filter").hidden = false;
  input.addEventListener("input", () => {
    const wanted = input.value.trim().toLowerCase();
    list.querySelectorAll("li").forEach((item) => {
      const checked = item.querySelector("input:checked") !== null;
      item.hidden = wanted !== "" && !checked && !item.textContent.toLowerCase().includes(wanted);
    });
  });
});
