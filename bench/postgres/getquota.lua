-- wrk script: getQuota's POST body (the access token is in the URL's query string).
wrk.method = "POST"
wrk.body = '{"delivery_id":"YTO","biz_id":"xyz"}'
wrk.headers["Content-Type"] = "application/json"
