-- wrk script: addOrder on one hot account, a unique order_id on every request.
-- Usage: wrk -t2 -c64 -d10s --latency -s addorder.lua http://127.0.0.1:PORT -- ACCESS_TOKEN
-- Every WeChat answer is HTTP 200, errors too, so the script counts answers that carry no waybill_id itself.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local template = '{"add_source":0,"order_id":"%s","openid":"oABC123456","delivery_id":"YTO","biz_id":"xyz","custom_remark":"易碎物品","sender":{"name":"张三","tel":"020-88888888","mobile":"18666666666","company":"公司名","post_code":"123456","country":"中国","province":"广东省","city":"广州市","area":"海珠区","address":"XX路XX号XX大厦XX栋XX"},"receiver":{"name":"王小蒙","tel":"020-77777777","mobile":"18610000000","company":"公司名","post_code":"654321","country":"中国","province":"广东省","city":"广州市","area":"天河区","address":"XX路XX号XX大厦XX栋XX"},"shop":{"wxa_path":"/index/index?from=waybill&id=01234567890123456789","img_url":"https://mmbiz.qpic.cn/mmbiz_png/example/0?wx_fmt=png","goods_name":"一千零一夜钻石包&爱马仕铂金包","goods_count":2},"cargo":{"count":2,"weight":5.5,"space_x":30.5,"space_y":20,"space_z":20,"detail_list":[{"name":"一千零一夜钻石包","count":1},{"name":"爱马仕铂金包","count":1}]},"insured":{"use_insured":1,"insured_value":10000},"service":{"service_type":0,"service_name":"普通快递"}}'

function init(args)
  path = "/cgi-bin/express/business/order/add?access_token=" .. args[1]
  prefix = string.format("wrk-%d-%d-", os.time(), tid)
  counter = 0
  failures = 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format("POST", path, nil, string.format(template, prefix .. counter))
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"waybill_id"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + t:get("failures") end
  io.write(string.format("orders/s %.0f  p50 %.2f ms  p99 %.2f ms  answers without a waybill: %d of %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failed, summary.requests))
end
