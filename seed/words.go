package seed

// Word lists for the demo-data generator. They were written for Tide; the
// brand words and ASCII domain words are invented and are not meant to name
// real companies.
//
// Invariants relied on by CompanyName (checked by TestWordListInvariants):
//   - companyCities is prefix-free (no entry is a prefix of another);
//   - every entry of brandWords has exactly two runes, and they are distinct;
//   - no entry of industryWords starts with a brand word;
//   - no brand or industry word ends with a legal form (公司, 集团, 股份, …).

// weighted is a string with a relative weight.
type weighted struct {
	s string
	w int
}

// companyCities are the city prefixes of company names (2–4 runes,
// prefix-free).
var companyCities = []string{
	"北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "南京", "苏州", "成都",
	"武汉", "西安", "长沙", "郑州", "济南", "青岛", "厦门", "福州", "合肥", "南昌",
	"昆明", "贵阳", "南宁", "海口", "太原", "沈阳", "大连", "长春", "哈尔滨", "石家庄",
	"宁波", "温州", "绍兴", "嘉兴", "湖州", "金华", "台州", "无锡", "常州", "南通",
	"扬州", "徐州", "佛山", "东莞", "珠海", "中山", "惠州", "汕头", "泉州", "漳州",
	"烟台", "潍坊", "临沂", "淄博", "洛阳", "宜昌", "襄阳", "株洲", "岳阳", "绵阳",
	"宜宾", "桂林", "柳州", "保定", "唐山", "芜湖", "赣州", "三亚", "兰州", "乌鲁木齐",
	"呼和浩特", "包头",
}

// brandWords are two-rune brand words ("字号"). A company name uses one or
// two of them.
var brandWords = []string{
	"云帆", "恒达", "华通", "鼎盛", "宏图", "瑞丰", "启明", "汇智", "锦程", "天成",
	"博远", "嘉禾", "明德", "安泰", "永信", "盛世", "凯越", "卓远", "中拓", "思源",
	"金桥", "银河", "星辰", "蓝海", "新航", "远景", "信诚", "德润", "泰和", "众鑫",
	"宏远", "志诚", "联创", "聚力", "融通", "正元", "万象", "嘉信", "海纳", "东升",
	"北辰", "南屏", "西岭", "长风", "九州", "千帆", "君和", "诚达", "同舟", "和美",
	"鸿运", "华瑞", "恒通", "立信", "精诚", "智远", "睿达", "天佑", "祥和", "丰泽",
	"昊天", "浩然", "晨光", "曙光", "朝晖", "旭日", "青松", "翠竹", "红枫", "白鹭",
	"金鼎", "银杏", "玉泉", "宝丰", "瑞祥", "富源", "裕隆", "昌盛", "兴邦", "隆泰",
	"恒信", "致远", "宁远", "安和", "康达", "德胜", "达安", "友联", "凌云", "飞鸿",
	"鹏程", "骏达", "麒麟", "凤翔", "龙腾", "鲲鹏", "星河", "月明", "日新", "天元",
	"蓝鲸", "青禾", "绿源", "紫辰", "澜沧", "湘楚", "闽越", "泓源", "沐阳", "润泽",
	"清越", "若水", "上善", "明远", "弘毅", "笃行", "优创", "领航", "先锋", "前沿",
	"博雅", "卓然", "恒昌", "华辰", "易达", "元亨", "利贞", "中和",
}

// industryWords are the industry part of company names ("行业表述"). studio
// marks the ones for which 工作室 is a plausible legal form.
var industryWords = []struct {
	s      string
	studio bool
}{
	{"网络科技", true}, {"信息技术", false}, {"电子商务", true}, {"智能科技", false},
	{"生物科技", false}, {"医疗器械", false}, {"教育科技", true}, {"文化传媒", true},
	{"商贸", false}, {"机械设备", false}, {"新材料", false}, {"环保科技", false},
	{"物流", false}, {"建筑工程", false}, {"食品", false}, {"餐饮管理", false},
	{"企业管理咨询", true}, {"汽车服务", false}, {"电子", false}, {"精密制造", false},
	{"新能源", false}, {"农业发展", false}, {"供应链管理", false}, {"广告", true},
	{"软件", true}, {"数据服务", false}, {"包装材料", false}, {"纺织", false},
	{"化工", false}, {"家居", false}, {"装饰工程", false}, {"人力资源", false},
	{"健康管理", false}, {"影视文化", true}, {"设计", true}, {"酒店管理", false},
	{"电气", false}, {"光电", false}, {"检测技术", false}, {"园林绿化", false},
}

// legalForms are the legal forms appended to company names. "工作室" is only
// used with industry words marked studio.
var legalForms = []weighted{
	{"有限公司", 62},
	{"有限责任公司", 12},
	{"股份有限公司", 10},
	{"集团有限公司", 4},
	{"工作室", 12},
}

// legalSuffixes are the legal forms a duplicate-detection normaliser may
// strip from the end of a name. No brand or industry word ends with one.
var legalSuffixes = []string{
	"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "总公司",
	"分公司", "工作室", "集团", "公司", "股份", "有限", "责任", "控股", "实业", "企业",
}

// surnames with approximate relative frequencies (per 10,000 people).
var surnames = []weighted{
	{"王", 710}, {"李", 700}, {"张", 670}, {"刘", 540}, {"陈", 450},
	{"杨", 310}, {"黄", 220}, {"赵", 200}, {"吴", 190}, {"周", 190},
	{"徐", 130}, {"孙", 120}, {"马", 120}, {"朱", 110}, {"胡", 100},
	{"郭", 97}, {"何", 95}, {"高", 92}, {"林", 91}, {"罗", 86},
	{"郑", 80}, {"梁", 78}, {"谢", 68}, {"宋", 65}, {"唐", 63},
	{"许", 61}, {"韩", 60}, {"冯", 59}, {"邓", 58}, {"曹", 57},
	{"彭", 55}, {"曾", 54}, {"肖", 53}, {"田", 52}, {"董", 51},
	{"袁", 50}, {"潘", 49}, {"于", 48}, {"蒋", 47}, {"蔡", 46},
	{"余", 45}, {"杜", 44}, {"叶", 43}, {"程", 42}, {"苏", 41},
	{"魏", 40}, {"吕", 39}, {"丁", 38}, {"任", 37}, {"沈", 36},
	{"姚", 35}, {"卢", 34}, {"姜", 33}, {"崔", 32}, {"钟", 31},
	{"谭", 30}, {"陆", 29}, {"汪", 28}, {"范", 27}, {"金", 26},
	{"石", 25}, {"廖", 24}, {"贾", 23}, {"夏", 22}, {"韦", 21},
	{"付", 20}, {"方", 20}, {"白", 19}, {"邹", 19}, {"孟", 18},
	{"熊", 18}, {"秦", 17}, {"邱", 17}, {"江", 16}, {"尹", 16},
	{"薛", 15}, {"闫", 15}, {"段", 14}, {"雷", 14}, {"侯", 13},
	{"龙", 13}, {"史", 12}, {"陶", 12}, {"黎", 11}, {"贺", 11},
	{"顾", 10}, {"毛", 10}, {"郝", 10}, {"龚", 9}, {"邵", 9},
	{"万", 9}, {"钱", 8}, {"严", 8}, {"覃", 7}, {"武", 7},
	{"戴", 7}, {"莫", 6}, {"孔", 6}, {"向", 6}, {"汤", 6},
	{"欧阳", 3}, {"司马", 1}, {"诸葛", 1}, {"上官", 1},
}

// Given-name characters: leading characters shared by both genders, and
// characters typical of male and of female names.
var (
	givenLead = []string{
		"晓", "文", "子", "嘉", "雨", "安", "清", "若", "心", "宏",
		"立", "永", "春", "秋", "天", "家", "思", "一", "明", "新",
		"志", "佳", "俊", "云", "海", "小", "梓", "欣", "语", "卓",
	}
	givenMale = []string{
		"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚",
		"平", "辉", "鹏", "华", "飞", "鑫", "波", "斌", "宇", "浩",
		"凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳",
		"峰", "建", "国", "志", "文", "东", "海", "晨", "博", "然",
		"亮", "成", "彬", "鸿", "振", "翔", "毅", "哲", "睿", "航",
		"轩", "昊", "达", "坤", "锋", "良", "松", "杨", "炜", "楠",
	}
	givenFemale = []string{
		"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲",
		"燕", "婷", "雪", "倩", "琳", "颖", "洁", "慧", "莉", "萍",
		"红", "梅", "蕾", "薇", "欣", "怡", "佳", "悦", "琪", "璐",
		"瑶", "晶", "月", "露", "雯", "婧", "岚", "妍", "诗", "涵",
		"梦", "思", "彤", "宁", "蓉", "菲", "爽", "丹", "青", "然",
	}
)

// industries are the customer industries returned by Industry.
var industries = []weighted{
	{"制造业", 18}, {"互联网", 12}, {"教育培训", 6}, {"医疗健康", 7},
	{"金融", 6}, {"零售", 9}, {"物流", 6}, {"房地产", 4},
	{"建筑工程", 6}, {"能源", 4}, {"餐饮", 5}, {"农业", 3},
	{"汽车", 5}, {"文化传媒", 4}, {"专业服务", 5},
}

// city is a city with its weight inside its region and some of its
// districts (or, for 东莞 and 中山, towns and sub-districts).
type city struct {
	name      string
	w         int
	districts []string
}

// region is a province-level division. short is the everyday name ("浙江"),
// full the name used in addresses ("浙江省"). A municipality has a single
// city of the same name, which addresses do not repeat.
type region struct {
	short, full  string
	w            int
	municipality bool
	cities       []city
}

// regions, weighted toward the coastal provinces where most customers are.
var regions = []region{
	{"广东", "广东省", 14, false, []city{
		{"深圳", 10, []string{"南山区", "福田区", "罗湖区", "宝安区", "龙岗区", "龙华区"}},
		{"广州", 10, []string{"天河区", "越秀区", "海珠区", "番禺区", "白云区", "黄埔区"}},
		{"东莞", 5, []string{"南城街道", "东城街道", "莞城街道", "长安镇", "虎门镇", "松山湖"}},
		{"佛山", 5, []string{"禅城区", "南海区", "顺德区"}},
		{"珠海", 2, []string{"香洲区", "金湾区", "斗门区"}},
		{"惠州", 2, []string{"惠城区", "惠阳区"}},
		{"中山", 2, []string{"石岐街道", "东区街道", "火炬开发区"}},
		{"汕头", 1, []string{"金平区", "龙湖区"}},
	}},
	{"浙江", "浙江省", 11, false, []city{
		{"杭州", 10, []string{"西湖区", "上城区", "拱墅区", "滨江区", "余杭区", "萧山区"}},
		{"宁波", 6, []string{"海曙区", "江北区", "鄞州区", "北仑区"}},
		{"温州", 4, []string{"鹿城区", "龙湾区", "瓯海区"}},
		{"绍兴", 2, []string{"越城区", "柯桥区"}},
		{"嘉兴", 2, []string{"南湖区", "秀洲区"}},
		{"金华", 2, []string{"婺城区", "金东区"}},
		{"台州", 2, []string{"椒江区", "黄岩区", "路桥区"}},
		{"湖州", 1, []string{"吴兴区", "南浔区"}},
	}},
	{"江苏", "江苏省", 11, false, []city{
		{"苏州", 9, []string{"姑苏区", "吴中区", "相城区", "虎丘区", "吴江区"}},
		{"南京", 9, []string{"玄武区", "秦淮区", "建邺区", "鼓楼区", "江宁区"}},
		{"无锡", 5, []string{"梁溪区", "滨湖区", "新吴区"}},
		{"常州", 3, []string{"天宁区", "钟楼区", "武进区"}},
		{"南通", 3, []string{"崇川区", "通州区"}},
		{"徐州", 2, []string{"鼓楼区", "云龙区", "泉山区"}},
		{"扬州", 2, []string{"广陵区", "邗江区"}},
	}},
	{"上海", "上海市", 9, true, []city{
		{"上海", 1, []string{"浦东新区", "黄浦区", "徐汇区", "静安区", "长宁区", "闵行区", "杨浦区", "普陀区"}},
	}},
	{"北京", "北京市", 9, true, []city{
		{"北京", 1, []string{"朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区", "大兴区", "昌平区"}},
	}},
	{"山东", "山东省", 7, false, []city{
		{"青岛", 6, []string{"市南区", "市北区", "黄岛区", "崂山区", "李沧区"}},
		{"济南", 6, []string{"历下区", "市中区", "槐荫区", "历城区"}},
		{"烟台", 3, []string{"芝罘区", "莱山区"}},
		{"潍坊", 2, []string{"奎文区", "潍城区"}},
		{"临沂", 2, []string{"兰山区", "罗庄区"}},
		{"淄博", 1, []string{"张店区", "淄川区"}},
	}},
	{"福建", "福建省", 5, false, []city{
		{"厦门", 5, []string{"思明区", "湖里区", "集美区", "海沧区"}},
		{"福州", 5, []string{"鼓楼区", "台江区", "仓山区", "晋安区"}},
		{"泉州", 4, []string{"丰泽区", "鲤城区", "洛江区"}},
		{"漳州", 1, []string{"芗城区", "龙文区"}},
	}},
	{"四川", "四川省", 5, false, []city{
		{"成都", 10, []string{"锦江区", "青羊区", "金牛区", "武侯区", "成华区", "双流区"}},
		{"绵阳", 2, []string{"涪城区", "游仙区"}},
		{"宜宾", 1, []string{"翠屏区", "叙州区"}},
	}},
	{"湖北", "湖北省", 4, false, []city{
		{"武汉", 10, []string{"江岸区", "江汉区", "武昌区", "洪山区", "汉阳区"}},
		{"宜昌", 2, []string{"西陵区", "伍家岗区"}},
		{"襄阳", 2, []string{"襄城区", "樊城区"}},
	}},
	{"天津", "天津市", 3, true, []city{
		{"天津", 1, []string{"和平区", "河西区", "南开区", "滨海新区", "河东区"}},
	}},
	{"重庆", "重庆市", 3, true, []city{
		{"重庆", 1, []string{"渝中区", "江北区", "渝北区", "南岸区", "九龙坡区", "沙坪坝区"}},
	}},
	{"湖南", "湖南省", 3, false, []city{
		{"长沙", 10, []string{"芙蓉区", "天心区", "岳麓区", "开福区", "雨花区"}},
		{"株洲", 2, []string{"天元区", "芦淞区"}},
		{"岳阳", 1, []string{"岳阳楼区", "云溪区"}},
	}},
	{"河南", "河南省", 3, false, []city{
		{"郑州", 10, []string{"金水区", "中原区", "二七区", "管城回族区"}},
		{"洛阳", 3, []string{"西工区", "涧西区", "洛龙区"}},
	}},
	{"安徽", "安徽省", 3, false, []city{
		{"合肥", 10, []string{"蜀山区", "庐阳区", "包河区", "瑶海区"}},
		{"芜湖", 2, []string{"镜湖区", "鸠江区"}},
	}},
	{"河北", "河北省", 2, false, []city{
		{"石家庄", 5, []string{"长安区", "桥西区", "裕华区"}},
		{"保定", 2, []string{"竞秀区", "莲池区"}},
		{"唐山", 2, []string{"路北区", "路南区"}},
	}},
	{"陕西", "陕西省", 2, false, []city{
		{"西安", 1, []string{"雁塔区", "碑林区", "未央区", "莲湖区", "新城区"}},
	}},
	{"辽宁", "辽宁省", 2, false, []city{
		{"沈阳", 5, []string{"和平区", "沈河区", "皇姑区", "铁西区"}},
		{"大连", 5, []string{"中山区", "西岗区", "沙河口区", "甘井子区"}},
	}},
	{"江西", "江西省", 1, false, []city{
		{"南昌", 5, []string{"东湖区", "西湖区", "青山湖区", "红谷滩区"}},
		{"赣州", 1, []string{"章贡区", "南康区"}},
	}},
	{"广西", "广西壮族自治区", 1, false, []city{
		{"南宁", 5, []string{"青秀区", "兴宁区", "西乡塘区"}},
		{"柳州", 2, []string{"城中区", "鱼峰区"}},
		{"桂林", 2, []string{"秀峰区", "七星区"}},
	}},
	{"云南", "云南省", 1, false, []city{
		{"昆明", 1, []string{"五华区", "盘龙区", "官渡区", "西山区"}},
	}},
	{"黑龙江", "黑龙江省", 1, false, []city{
		{"哈尔滨", 1, []string{"南岗区", "道里区", "香坊区"}},
	}},
	{"吉林", "吉林省", 1, false, []city{
		{"长春", 1, []string{"朝阳区", "南关区", "绿园区"}},
	}},
	{"山西", "山西省", 1, false, []city{
		{"太原", 1, []string{"小店区", "迎泽区", "杏花岭区"}},
	}},
	{"海南", "海南省", 1, false, []city{
		{"海口", 3, []string{"龙华区", "美兰区"}},
		{"三亚", 1, []string{"吉阳区", "天涯区"}},
	}},
	{"贵州", "贵州省", 1, false, []city{
		{"贵阳", 1, []string{"云岩区", "南明区", "观山湖区"}},
	}},
	{"内蒙古", "内蒙古自治区", 1, false, []city{
		{"呼和浩特", 2, []string{"新城区", "赛罕区"}},
		{"包头", 1, []string{"昆都仑区", "青山区"}},
	}},
	{"新疆", "新疆维吾尔自治区", 1, false, []city{
		{"乌鲁木齐", 1, []string{"天山区", "沙依巴克区", "新市区"}},
	}},
}

// streets are generic road names used in addresses.
var streets = []string{
	"人民路", "解放路", "中山路", "建设路", "文化路", "和平路", "长江路", "黄河路",
	"学府路", "科技路", "创新大道", "世纪大道", "滨江大道", "新华路", "胜利路", "东风路",
	"青年路", "光明路", "幸福路", "工业园路", "高新路", "迎宾大道", "金融街", "商业街",
	"府前路", "湖滨路", "花园路", "友谊路", "环城路", "振兴路", "开发大道", "星光大道",
	"丽水路", "枫林路", "桂花路", "银杏路", "望江路", "朝阳路", "紫荆路", "梧桐路",
	"软件园路", "创业路", "兴业路", "同德路", "广场路", "南京路", "北京路", "延安路",
	"文三路", "天府大道", "深南大道", "南湖路", "翠微路", "明珠大道", "海滨路", "体育路",
	"复兴路", "新民路", "育才路", "前进路",
}

// buildings are office-building names used in some addresses.
var buildings = []string{
	"国际大厦", "科技大厦", "金融中心", "商务中心", "创意园", "软件园", "企业广场",
	"时代广场", "财富中心", "环球中心", "创业大厦", "发展大厦", "数码港", "智慧谷",
	"总部基地", "世贸中心", "嘉园大厦", "东方广场", "新城国际", "汇金中心",
}

// levels are customer levels with their weights in percent.
var levels = []weighted{{"A", 10}, {"B", 25}, {"C", 40}, {"D", 25}}

// sources are lead sources with their weights.
var sources = []weighted{
	{"官网", 20}, {"展会", 14}, {"转介绍", 20}, {"广告", 10}, {"电话营销", 20}, {"线上活动", 16},
}

// positions are contacts' job titles with their weights.
var positions = []weighted{
	{"总经理", 10}, {"副总经理", 6}, {"董事长", 3}, {"采购经理", 10}, {"采购专员", 6},
	{"技术总监", 6}, {"财务经理", 5}, {"财务", 4}, {"行政主管", 5}, {"销售总监", 5},
	{"市场经理", 5}, {"运营总监", 4}, {"IT经理", 5}, {"项目经理", 6}, {"人力资源经理", 3},
	{"生产经理", 4}, {"质量经理", 3}, {"总工程师", 2}, {"法务", 2}, {"总经理助理", 3},
	{"供应链经理", 3}, {"办公室主任", 3}, {"部门经理", 5}, {"工程师", 5}, {"商务经理", 4},
	{"信息中心主任", 2}, {"首席技术官", 1}, {"店长", 2},
}

// hobbies are contacts' hobbies.
var hobbies = []string{
	"羽毛球", "茶道", "钓鱼", "高尔夫", "乒乓球", "篮球", "足球", "游泳", "跑步", "登山",
	"徒步", "骑行", "摄影", "书法", "围棋", "象棋", "读书", "旅游", "红酒", "咖啡",
	"瑜伽", "健身", "网球", "烹饪", "收藏", "古典音乐", "唱歌", "自驾游", "露营", "滑雪",
	"桥牌", "太极拳", "养花", "品茶", "马拉松", "国画", "电影", "历史", "汽车", "掼蛋",
}

// followupKinds are follow-up kinds with their weights in percent.
var followupKinds = []weighted{
	{"call", 40}, {"wechat", 25}, {"visit", 15}, {"meeting", 10}, {"email", 8}, {"other", 2},
}

// followupOpeners are the first fragment of a follow-up note, per kind.
var followupOpeners = map[string][]string{
	"call": {
		"电话沟通了报价", "致电客户确认采购需求", "电话回访了试用情况", "与采购经理通了二十分钟电话",
		"电话跟进合同审批进度", "电话联系了新对接人", "电话确认了到货时间", "电话了解客户今年的预算安排",
		"回复了客户的来电咨询", "电话沟通了续费事宜",
	},
	"wechat": {
		"微信发送了产品资料", "通过微信沟通了付款方式", "微信上回复了客户的技术问题", "在微信群里同步了项目进度",
		"微信发送了新版报价单", "微信问候并了解近况", "微信发送了成功案例", "微信确认了发票信息",
		"微信发送了会议纪要", "微信沟通了样品寄送地址",
	},
	"visit": {
		"上门拜访了客户总经理", "到客户工厂实地考察了产线", "拜访客户并现场演示了系统", "陪同技术同事上门做需求调研",
		"上门送达了合同文本", "拜访了客户采购部和财务部", "到客户现场处理了安装问题", "上门拜访并参观了客户新办公室",
	},
	"meeting": {
		"组织线上会议演示了系统功能", "与客户技术团队开会讨论对接方案", "召开项目启动会", "参加客户内部方案评审会",
		"与客户高层开会汇报阶段成果", "线上会议讨论了实施计划", "与客户开会复盘了上季度合作", "和客户一起评审了需求文档",
	},
	"email": {
		"邮件发送了正式报价单", "邮件回复了客户关于售后条款的问题", "邮件发送了合同草稿", "邮件发送了产品白皮书",
		"邮件确认了会议时间", "邮件发送了对账单", "邮件同步了项目周报", "邮件发送了技术方案",
	},
	"other": {
		"在行业展会上见到了客户负责人", "寄送了节日礼品", "客户来公司参观交流", "在行业沙龙上与客户交流",
		"通过老客户引荐认识了对方老板", "快递寄出了样品", "客户在官网留言咨询",
	},
}

// followupMiddles are optional middle fragments: the customer's reaction.
var followupMiddles = []string{
	"客户对价格比较敏感", "对方认可我们的方案", "客户表示预算已经批下来", "决策人这周在出差",
	"客户还在比较两家供应商", "对方对交付周期有顾虑", "客户希望增加定制功能", "客户反馈试用效果不错",
	"对方采购流程比较长", "客户对售后服务很关心", "竞争对手报价更低", "客户内部还没有统一意见",
	"对方财务要求分期付款", "客户对数据安全提了不少问题", "老板对我们印象很好", "客户提到明年会扩大规模",
	"对方技术负责人比较支持", "客户希望先小范围试点", "客户要求提供同行业案例", "客户担心系统上手难度",
}

// followupNext are the closing fragments: the agreed next step.
var followupNext = []string{
	"客户希望下周安排技术交流", "约定月底前给出正式报价", "下周三再电话确认", "需要尽快提供案例资料",
	"计划安排上门演示", "等待对方内部评审结果", "下周寄送样品", "准备下周提交修改后的方案",
	"约好下月初签合同", "需要协调技术同事支持", "客户会在周五前答复", "已申请特价审批",
	"安排售前工程师跟进", "节后再跟进", "计划邀请客户参加下月的产品发布会", "先保持联系，暂不推进",
	"争取本季度内成单", "客户要求补充资质文件", "下周安排商务谈判", "等客户确认预算后再推进",
}

// departmentNames are the sales organisation's departments.
var departmentNames = []string{
	"华东销售部", "华南销售部", "华北销售部", "华中销售部", "西南销售部", "西北销售部",
	"东北销售部", "大客户部", "渠道部", "电商事业部", "售前技术部", "客户成功部",
}

// Email parts. Roles contain no digits, which keeps addresses unique (see
// Email).
var (
	emailRoles = []string{
		"", "sales", "info", "contact", "service", "market", "biz", "admin", "hr",
		"purchase", "support", "office", "finance", "tech", "pm", "ops", "bd", "team",
	}
	emailSeps       = []string{"", ".", "_"}
	emailPublic     = []string{"163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "aliyun.com", "139.com", "yeah.net", "outlook.com"}
	emailCorpTLDs   = []string{".com.cn", ".com", ".cn", ".net"}
	emailCorpDomain = []string{
		"sailcloud", "brightway", "novalink", "bluepeak", "everstone", "sunbridge", "goldleaf",
		"skyharbor", "greenfield", "silverline", "northstar", "redmaple", "deepsea", "firstlight",
		"openvista", "truepath", "starforge", "clearwater", "ironbridge", "swiftwing", "pinecrest",
		"highland", "windmill", "cornerstone", "brightstar", "oakridge", "seabright", "suncrest",
		"lightwave", "bluewhale", "greenleaf", "cloudpeak", "rivermark", "stonegate", "silverleaf",
		"goldwing", "eastwind", "westlake", "jadeline", "redcrane", "whitecrane", "dragonfly",
		"polarbay", "cedarlink", "maplewood", "sunpath", "tidewell", "fairwind", "summitway",
		"keystone", "bridgeway", "newhorizon", "trueleaf", "bluebay", "skyline", "silkroad",
		"moonlake", "sparkle", "evergreen", "primeway",
	}
)

// mobilePrefixes are real mainland operator prefixes; the weight w gives the
// prefix w×10⁷ of the numbers Mobile can return.
var mobilePrefixes = []struct {
	p string
	w int
}{
	// China Mobile
	{"134", 4}, {"135", 6}, {"136", 6}, {"137", 6}, {"138", 10}, {"139", 10}, {"147", 1},
	{"150", 5}, {"151", 5}, {"152", 4}, {"157", 3}, {"158", 6}, {"159", 6}, {"172", 1},
	{"178", 2}, {"182", 4}, {"183", 4}, {"184", 2}, {"187", 5}, {"188", 5}, {"195", 1},
	{"198", 2},
	// China Unicom
	{"130", 4}, {"131", 4}, {"132", 4}, {"155", 3}, {"156", 4}, {"166", 2}, {"175", 1},
	{"176", 2}, {"185", 4}, {"186", 6},
	// China Telecom
	{"133", 4}, {"153", 4}, {"173", 1}, {"177", 3}, {"180", 3}, {"181", 3}, {"189", 6},
	{"190", 1}, {"191", 2}, {"193", 1}, {"199", 2},
}
