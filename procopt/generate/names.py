"""English and Chinese names of everything the generated logs contain.

Stage: generate. The true process runs on English keys; these tables turn them into the words written
to the file, so ``language="zh"`` gives the same events, times and values with Chinese activity,
department, person, customer and column names (e.g. "Check Credit" -> 信用检查, "Finance" -> 财务部).
"""

from __future__ import annotations

#: activity and department names, English key -> Chinese.
ZH_TERMS: dict[str, str] = {
    # order-to-cash activities
    "Create Sales Order": "创建销售订单",
    "Check Credit": "信用检查",
    "Approve Order (Sales Manager)": "销售经理审批",
    "Revise Order": "修改订单",
    "Approve Order (Finance Director)": "财务总监审批",
    "Check Stock": "库存检查",
    "Produce": "生产",
    "Inspect Quality": "质量检验",
    "Rework": "返工",
    "Pick Goods": "拣货",
    "Ship Goods": "发货",
    "Create Invoice": "开具发票",
    # purchase-to-pay activities
    "Create Purchase Requisition": "创建采购申请",
    "Approve Requisition (Department Head)": "部门负责人审批",
    "Approve Requisition (Procurement Manager)": "采购经理审批",
    "Approve Requisition (CFO)": "首席财务官审批",
    "Create Purchase Order": "创建采购订单",
    "Send PO to Supplier": "发送采购订单",
    "Receive Goods": "收货",
    "Receive Invoice": "接收发票",
    "Match Invoice": "发票匹配",
    "Resolve Price Difference": "处理价格差异",
    "Pay Invoice": "付款",
    # departments
    "Sales": "销售部",
    "Finance": "财务部",
    "Warehouse": "仓储部",
    "Production": "生产部",
    "Quality": "质量部",
    "Logistics": "物流部",
    "Procurement": "采购部",
    "Accounts Payable": "应付账款部",
    "Treasury": "资金部",
    "Engineering": "工程部",
    "Maintenance": "设备部",
    "IT": "信息技术部",
    "Marketing": "市场部",
    "Operations": "运营部",
    "Requesting departments": "申请部门",
    # resource pools
    "Sales Reps": "销售代表",
    "Credit Analysts": "信用分析员",
    "Sales Managers": "销售经理",
    "Finance Director": "财务总监",
    "Warehouse Clerks": "仓库管理员",
    "Pickers": "拣货员",
    "Production Workers": "生产工人",
    "Quality Inspectors": "质检员",
    "Dispatchers": "发货调度员",
    "Billing Clerks": "开票员",
    "Requesters": "申请人",
    "Department Heads": "部门负责人",
    "Procurement Manager": "采购经理",
    "CFO": "首席财务官",
    "Buyers": "采购员",
    "Goods Receipt Clerks": "收货员",
    "Invoice Desk": "发票收发员",
    "AP Clerks": "应付会计",
    "Treasury Clerks": "出纳",
    # case attribute values
    "North": "华北",
    "South": "华南",
    "East": "华东",
    "West": "华西",
    "Raw Material": "原材料",
    "MRO": "维修备件",
    "IT Equipment": "IT设备",
    "Services": "服务",
    "Office Supplies": "办公用品",
    "A": "产品A",
    "B": "产品B",
    "C": "产品C",
}

#: people: (English spelling, Chinese spelling). Pools take names from this list in order.
PEOPLE: tuple[tuple[str, str], ...] = (
    ("Li Wei", "李伟"), ("Anna Schmidt", "安娜·施密特"), ("Wang Fang", "王芳"), ("Lukas Becker", "卢卡斯·贝克尔"),
    ("Zhang Min", "张敏"), ("Chen Jing", "陈静"), ("Sophie Martin", "索菲·马丁"), ("Liu Yang", "刘洋"),
    ("Thomas Weber", "托马斯·韦伯"), ("Zhao Lei", "赵磊"), ("Huang Xin", "黄欣"), ("Maria Rossi", "玛丽亚·罗西"),
    ("Zhou Tao", "周涛"), ("Wu Hao", "吴昊"), ("Xu Li", "徐丽"), ("Jonas Fischer", "约纳斯·菲舍尔"),
    ("Sun Qiang", "孙强"), ("Ma Lin", "马琳"), ("Hu Jun", "胡军"), ("Emma Wagner", "艾玛·瓦格纳"),
    ("Guo Ping", "郭平"), ("He Yan", "何艳"), ("Lin Feng", "林峰"), ("Luo Gang", "罗刚"),
    ("Paul Meyer", "保罗·迈耶"), ("Gao Yun", "高云"), ("Liang Bo", "梁波"), ("Song Jia", "宋佳"),
    ("Zheng Hui", "郑辉"), ("Clara Hoffmann", "克拉拉·霍夫曼"), ("Xie Dong", "谢东"), ("Han Mei", "韩梅"),
    ("Tang Yu", "唐宇"), ("Feng Rui", "冯瑞"), ("David Keller", "大卫·凯勒"), ("Deng Chao", "邓超"),
    ("Cao Ning", "曹宁"), ("Peng Fei", "彭飞"), ("Zeng Yi", "曾毅"), ("Laura Klein", "劳拉·克莱因"),
    ("Xiao Hong", "肖红"), ("Tian Ye", "田野"), ("Dong Jie", "董杰"), ("Yuan Hua", "袁华"),
    ("Felix Wolf", "菲利克斯·沃尔夫"), ("Pan Xue", "潘雪"), ("Jiang Bin", "蒋斌"), ("Cai Qin", "蔡琴"),
    ("Yu Kai", "余凯"), ("Lea Schulz", "莉娅·舒尔茨"), ("Du Wen", "杜文"), ("Ye Ling", "叶玲"),
    ("Cheng Long", "程龙"), ("Su Dan", "苏丹"), ("Max Braun", "马克斯·布劳恩"), ("Lu Yao", "陆瑶"),
    ("Ding Shan", "丁山"), ("Wei Na", "魏娜"), ("Xue Feng", "薛峰"), ("Nina Lange", "妮娜·朗格"),
    ("Ren Jie", "任杰"), ("Shen Lan", "沈兰"), ("Yao Ming", "姚明"), ("Lu Xin", "卢欣"),
)

#: customers (O2C) and suppliers (P2P): (English, Chinese).
CUSTOMERS: tuple[tuple[str, str], ...] = (
    ("Atlas Trading Ltd", "阿特拉斯贸易有限公司"), ("Huasheng Trading Co", "华盛贸易有限公司"),
    ("Müller Maschinenbau GmbH", "穆勒机械制造有限公司"), ("Orient Electronics", "东方电子有限公司"),
    ("Nordic Tools AB", "北欧工具公司"), ("Jinlong Industrial", "金龙实业有限公司"),
    ("Rossi Componenti SpA", "罗西零部件公司"), ("Greenfield Farms", "绿野农场有限公司"),
    ("Tianyi Logistics", "天翼物流有限公司"), ("Baltic Steel", "波罗的海钢铁公司"),
    ("Sunrise Retail", "朝阳零售有限公司"), ("Hengtai Construction", "恒泰建设集团"),
    ("Alpine Medical", "阿尔卑斯医疗公司"), ("Minghua Pharma", "明华制药有限公司"),
    ("Coastal Foods", "沿海食品有限公司"), ("Xinda Auto Parts", "鑫达汽车配件有限公司"),
    ("Iberia Textiles", "伊比利亚纺织公司"), ("Yuanfeng Chemicals", "远丰化工有限公司"),
    ("Danube Energy", "多瑙能源公司"), ("Kaiyuan Instruments", "开元仪器有限公司"),
    ("Fjord Marine", "峡湾船舶公司"), ("Longteng Packaging", "龙腾包装有限公司"),
    ("Lumen Lighting", "流明照明公司"), ("Ruixiang Home", "瑞祥家居有限公司"),
)

SUPPLIERS: tuple[tuple[str, str], ...] = (
    ("Bosch Rexroth", "博世力士乐"), ("Shanghai Metals", "上海金属材料有限公司"), ("Würth Industrie", "伍尔特工业"),
    ("Dell Technologies", "戴尔科技"), ("Haier Office", "海尔办公设备"), ("SKF Bearings", "斯凯孚轴承"),
    ("Ningbo Plastics", "宁波塑料有限公司"), ("Staples Business", "史泰博办公"), ("Lenovo", "联想"),
    ("Siemens Services", "西门子服务"), ("Jiangsu Cable", "江苏电缆有限公司"), ("Rittal", "威图"),
)

#: file columns in each language (CONTRACTS.md).
O2C_COLUMNS: dict[str, tuple[str, ...]] = {
    "en": ("order_id", "activity", "start_time", "end_time", "user", "department",
           "order_value", "region", "product", "customer", "promised_date"),
    "zh": ("订单号", "活动", "开始时间", "结束时间", "操作员", "部门", "订单金额", "区域", "产品", "客户", "承诺交期"),
}
P2P_COLUMNS: dict[str, tuple[str, ...]] = {
    "en": ("requisition_id", "activity", "lifecycle", "timestamp", "resource", "department",
           "amount", "supplier", "category", "need_by_date"),
    "zh": ("申请单号", "活动", "生命周期", "时间", "操作员", "部门", "金额", "供应商", "类别", "交货日期"),
}
LIFECYCLE: dict[str, tuple[str, str]] = {"en": ("start", "complete"), "zh": ("开始", "完成")}

_PERSON_ZH = dict(PEOPLE)
_PARTNER_ZH = dict(CUSTOMERS) | dict(SUPPLIERS)


def term(word: str, language: str) -> str:
    """An activity, department, pool or attribute value in ``language`` ("en" or "zh")."""
    if language == "en":
        return word
    return ZH_TERMS.get(word) or _PERSON_ZH.get(word) or _PARTNER_ZH.get(word) or word

