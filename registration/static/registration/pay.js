// Pays the registration's PaymentIntent with Stripe.js; the server confirms by
// webhook or by asking Stripe when the browser comes back to return_url.
(function () {
  const form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const error = document.getElementById("payment-error");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    form.querySelector("button").disabled = true;
    const result = await stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } });
    if (result.error) {
      error.textContent = result.error.message || String(result.error);
      error.hidden = false;
      form.querySelector("button").disabled = false;
      return;
    }
    window.location.href = form.dataset.returnUrl;
  });
})();
