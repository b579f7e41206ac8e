-- wrk script: POST /loans with an approvable request and the bearer token from $TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = [[{"applicant": {"monthly_net_income": 6200, "monthly_debt_payments": 300, "employment_type": "permanent",
 "employment_years": 8, "defaults_last_24_months": 0, "late_payments_last_24_months": 0, "age": 38},
 "property": {"estimated_value": 320000, "type": "apartment", "postcode": "69003", "purpose": "primary_home"},
 "loan": {"amount": 250000, "down_payment": 70000, "term_months": 240}}]]

-- Anything but 202 Accepted is counted and reported: a fast error is no throughput.
local failures = 0
response = function(status, headers, body)
  if status ~= 202 then failures = failures + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("POST /loans: %d requests, %.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, non-2xx %d, socket errors %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
