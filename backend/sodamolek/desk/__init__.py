"""The office's request pages (queue, counter form, one request with its signed letter,
receipt). They compose letter_requests, letters and issuing, so they sit above all three."""
