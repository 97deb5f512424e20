"""Regenerate the tiny fixed input files in tests/data (run by hand: python tests/data/make_data.py).

The files are committed; this script documents exactly how each hostile input was made.
"""

from __future__ import annotations

import gzip
import sqlite3
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
BAD = HERE / "bad"

O2C = """order_id,activity,start_time,end_time,user,department,order_value,region,product,customer,promised_date
SO-001,Create Order,2024-03-04 09:00:00,2024-03-04 09:10:00,alice,Sales,1200.5,North,P1,C1,2024-03-10
SO-001,Check Credit,2024-03-04 10:00:00,2024-03-04 10:30:00,bob,Finance,1200.5,North,P1,C1,2024-03-10
SO-001,Ship Goods,2024-03-05 08:00:00,2024-03-05 09:00:00,carl,Logistics,1200.5,North,P1,C1,2024-03-10
SO-002,Create Order,2024-03-04 11:00:00,2024-03-04 11:05:00,alice,Sales,80,South,P2,C2,2024-03-08
SO-002,Check Credit,2024-03-04 13:00:00,2024-03-04 13:20:00,bob,Finance,80,South,P2,C2,2024-03-08
SO-002,Ship Goods,2024-03-06 08:00:00,2024-03-06 08:40:00,carl,Logistics,80,South,P2,C2,2024-03-08
007,Create Order,2024-03-05 09:00:00,2024-03-05 09:04:00,dora,Sales,15,East,P1,C3,2024-03-12
"""

ZH = """订单号,活动,开始时间,结束时间,操作员,部门,订单金额,区域,产品,客户,承诺交期
SO-1,创建订单,2024-03-04 09:00:00,2024-03-04 09:10:00,张三,销售部,1200,华北,P1,C1,2024-03-10
SO-1,审批,2024-03-04 10:00:00,2024-03-04 15:00:00,李四,财务部,1200,华北,P1,C1,2024-03-10
SO-1,发货,2024-03-05 08:00:00,2024-03-05 09:00:00,王五,物流部,1200,华北,P1,C1,2024-03-10
SO-2,创建订单,2024-03-04 11:00:00,2024-03-04 11:05:00,张三,销售部,80,华南,P2,C2,2024-03-08
SO-2,审批,2024-03-04 13:00:00,2024-03-04 15:00:00,李四,财务部,80,华南,P2,C2,2024-03-08
SO-2,发货,2024-03-06 08:00:00,2024-03-06 08:40:00,王五,物流部,80,华南,P2,C2,2024-03-08
"""

P2P = """requisition_id,activity,lifecycle,timestamp,resource,department,amount,supplier,category,need_by_date
PR-1,Create Requisition,start,2024-01-08 09:00:00,ann,Purchasing,500,S1,IT,2024-01-20
PR-1,Create Requisition,complete,2024-01-08 09:30:00,ann,Purchasing,500,S1,IT,2024-01-20
PR-1,Approve,schedule,2024-01-08 09:30:00,,Management,500,S1,IT,2024-01-20
PR-1,Approve,start,2024-01-08 15:00:00,ben,Management,500,S1,IT,2024-01-20
PR-1,Approve,complete,2024-01-08 15:05:00,ben,Management,500,S1,IT,2024-01-20
PR-2,Create Requisition,start,2024-01-09 10:00:00,ann,Purchasing,90,S2,Office,2024-01-25
PR-2,Create Requisition,complete,2024-01-09 10:20:00,ann,Purchasing,90,S2,Office,2024-01-25
PR-2,Approve,start,2024-01-09 15:00:00,ben,Management,90,S2,Office,2024-01-25
"""

XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <trace>
    <string key="concept:name" value="A1"/>
    <event><string key="concept:name" value="创建订单"/><string key="lifecycle:transition" value="start"/>
      <string key="org:resource" value="张三"/><date key="time:timestamp" value="2024-03-04T09:00:00.000+08:00"/></event>
    <event><string key="concept:name" value="创建订单"/><string key="lifecycle:transition" value="complete"/>
      <string key="org:resource" value="张三"/><date key="time:timestamp" value="2024-03-04T09:10:00.000+08:00"/></event>
    <event><string key="concept:name" value="审批"/><string key="lifecycle:transition" value="start"/>
      <string key="org:resource" value="李四"/><date key="time:timestamp" value="2024-03-04T14:00:00.000+08:00"/></event>
    <event><string key="concept:name" value="审批"/><string key="lifecycle:transition" value="complete"/>
      <string key="org:resource" value="李四"/><date key="time:timestamp" value="2024-03-04T15:00:00.000+08:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="A2"/>
    <event><string key="concept:name" value="创建订单"/><string key="lifecycle:transition" value="complete"/>
      <string key="org:resource" value="张三"/><date key="time:timestamp" value="2024-03-05T08:00:00.000+08:00"/></event>
    <event><string key="concept:name" value="审批"/><string key="lifecycle:transition" value="complete"/>
      <string key="org:resource" value="李四"/><date key="time:timestamp" value="2024-03-05T15:00:00.000+08:00"/></event>
  </trace>
</log>
"""

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d1">
  <bpmn:process id="p1"><bpmn:task id="t1" name="Approve"/></bpmn:process>
</bpmn:definitions>
"""


def main() -> None:
    BAD.mkdir(exist_ok=True)
    (HERE / "o2c_small.csv").write_text(O2C, encoding="utf-8")
    (HERE / "o2c_small_zh.csv").write_bytes(ZH.encode("gb18030"))
    (HERE / "p2p_lifecycle.csv").write_text(P2P, encoding="utf-8")
    (HERE / "tiny.xes").write_text(XES, encoding="utf-8")
    (BAD / "empty.csv").write_bytes(b"")
    (BAD / "blank.csv").write_bytes(b"\n\n  \n")
    (BAD / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (BAD / "one_column.csv").write_text("case^activity^time\nA^x^2024-01-01\nA^y^2024-01-02\n", encoding="utf-8")
    (BAD / "missing_column.csv").write_text("order_id,step_name,user\nSO1,Create,ann\nSO1,Ship,bob\n", encoding="utf-8")
    (BAD / "bad_dates.csv").write_text(
        "case_id,activity,timestamp\nA,x,yesterday\nA,y,soon\nB,x,never\n", encoding="utf-8"
    )
    (BAD / "header_only.csv").write_text("case_id,activity,timestamp\n", encoding="utf-8")
    (BAD / "truncated.xes").write_text(XES[: len(XES) // 2], encoding="utf-8")
    (BAD / "not_xml.xes").write_text("case,activity,time\nA,x,2024-01-01\n", encoding="utf-8")
    (BAD / "model.bpmn").write_text(BPMN, encoding="utf-8")
    (BAD / "notes.dat").write_text("case,activity,time\nA,x,2024-01-01\n", encoding="utf-8")
    (BAD / "truncated.csv.gz").write_bytes(gzip.compress(O2C.encode())[:60])
    with zipfile.ZipFile(BAD / "VBFA.zip", "w") as zf:
        zf.writestr("VBFA.csv", "VBELV,POSNV,VBELN,POSNN,VBTYP_N\n0000000001,10,0080000001,10,J\n")
    db = BAD / "erp_tables.sqlite"
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE Orders (OrderID INTEGER, OrderDate TEXT, ShippedDate TEXT)")
    con.execute("INSERT INTO Orders VALUES (1, '2024-01-01', '2024-01-05')")
    con.execute("CREATE TABLE Customers (CustomerID TEXT, Name TEXT)")
    con.commit()
    con.close()


if __name__ == "__main__":
    main()
