// Writes config/catalogue/county-sample.xlsx: a SAMPLE county catalogue (权力清单 + 公共服务事项目录)
// of 160 administrative permits and 151 public services over 36 departments, for the demo, the tests
// and the benchmarks. Run `npm run build && node scripts/gen-county-sample.mjs`; the output depends on
// nothing but this file and config/items (no randomness, fixed workbook dates), so it is reproducible.
//
// What is real: the four detailed items of config/items (with their form schemas) and the figures the
// source names (government investment project approval: statutory 60, promised 3 working days;
// enterprise investment project approval 55 → 5; enterprise project filing → 1; the unified business
// licence in 5; a science-and-technology non-enterprise registration in 5). Everything else — names,
// limits, materials, fees — is made up to look plausible and is marked as a sample on sheet 说明.
import { mkdirSync } from 'node:fs';
import { catalogueFromItems, loadCatalogue } from '../dist/src/approval/catalogue.js';
import { catalogueWorkbook } from '../dist/src/catalogue-io/sheet-write.js';
import { readCatalogueSheet } from '../dist/src/catalogue-io/sheet-read.js';
import { GENERIC_FORM } from '../dist/src/published/form.js';

const OUT = 'config/catalogue/county-sample.xlsx';

// [code, name, permits (行政许可), public services (公共服务)] — names follow county practice of 2015–2016.
const DEPARTMENTS = [
  ['drc', '县发展和改革局', ['固定资产投资项目节能审查', '粮食收购资格许可', '企业投资项目核准变更', '政府投资项目初步设计审批'], ['价格认定', '重点项目代办服务', '企业投资项目信息咨询', '项目申报政策辅导']],
  ['aic', '县工商行政管理局', ['个体工商户设立登记', '企业名称预先核准', '企业变更登记', '企业注销登记', '农民专业合作社设立登记'], ['企业登记档案查询', '动产抵押登记', '企业年报公示指导', '商标注册代理指导', '广告发布登记']],
  ['qts', '县质量技术监督局', ['特种设备使用登记', '计量标准器具核准', '食品相关产品生产许可初审', '特种设备作业人员资格认定'], ['计量器具强制检定', '组织机构代码证换领', '标准信息查询', '质量投诉受理']],
  ['tax', '县国家税务局', ['增值税专用发票最高开票限额审批', '对纳税人延期缴纳税款的核准', '对纳税人延期申报的核准'], ['税务登记', '发票领购', '纳税证明开具', '出口退税备案', '纳税信用等级查询']],
  ['ltax', '县地方税务局', ['对纳税人变更纳税定额的核准', '印花税汇总缴纳审批'], ['契税申报', '个人所得税完税证明开具', '社保费征缴登记', '房产税申报', '土地使用税申报']],
  ['rer', '县不动产登记中心', ['不动产首次登记', '不动产变更登记', '不动产抵押登记', '不动产注销登记', '不动产更正登记'], ['不动产登记资料查询', '不动产权证书补换发', '预告登记', '查封登记协助']],
  ['fda', '县食品药品监督管理局', ['食品生产许可', '药品零售企业许可', '医疗器械经营许可', '餐饮服务许可变更', '保健食品经营许可'], ['食品经营许可证补办', '药品安全投诉受理', '食品小作坊登记', '小餐饮备案']],
  ['edu', '县教育局', ['民办学校设立审批', '教师资格认定', '幼儿园设立审批', '校外培训机构办学许可', '中小学校车使用许可'], ['学籍转接', '学历证明补办', '义务教育入学登记', '学生资助申请', '教师资格证补办']],
  ['sci', '县科学技术局', ['科技类民办非企业单位设立前置审查', '实验动物使用许可初审', '技术合同认定登记'], ['科技项目申报受理', '高新技术企业认定辅导', '科技成果登记', '科技特派员服务']],
  ['eco', '县经济和信息化局', ['工业企业技术改造项目备案核准', '电力设施迁改许可', '民用爆炸物品购买许可初审', '散装水泥使用许可'], ['中小企业服务', '企业融资对接服务', '工业统计数据查询', '节能技术咨询']],
  ['civ', '县民政局', ['社会团体成立登记', '民办非企业单位成立登记', '养老机构设立许可', '殡葬设施建设审批', '地名命名审批'], ['婚姻登记', '最低生活保障申请', '临时救助申请', '高龄津贴申领', '残疾人两项补贴申请', '收养登记']],
  ['jus', '县司法局', ['基层法律服务工作者执业核准', '律师事务所设立初审', '公证员执业初审'], ['法律援助申请', '人民调解申请', '公证办理咨询', '社区矫正报到']],
  ['fin', '县财政局', ['代理记账机构设立审批', '会计从业资格认定'], ['政府采购供应商登记', '会计人员继续教育登记', '财政票据领购', '惠民补贴查询']],
  ['hrss', '县人力资源和社会保障局', ['劳务派遣经营许可', '人力资源服务许可', '特殊工时制度审批', '民办职业培训学校设立审批', '技工学校设立审批'], ['就业失业登记', '失业保险金申领', '养老保险关系转移', '社会保障卡申领', '职业技能鉴定报名', '创业担保贷款申请']],
  ['land', '县国土资源局', ['建设项目用地预审', '采矿权新立审批', '临时用地审批', '农村村民宅基地审批', '土地复垦方案审查'], ['地籍信息查询', '土地征收补偿咨询', '地质灾害危险性评估备案', '矿产资源储量备案']],
  ['env', '县环境保护局', ['建设项目环境影响评价文件审批', '排污许可', '危险废物经营许可初审', '建设项目竣工环境保护验收', '辐射安全许可初审'], ['环境信访受理', '环境监测数据查询', '排污申报登记', '建设项目环评登记表备案']],
  ['hou', '县住房和城乡建设局', ['建筑工程施工许可', '商品房预售许可', '建筑业企业资质核准', '房地产开发企业资质核定', '燃气经营许可'], ['住房公积金提取', '公共租赁住房申请', '房屋交易网签备案', '建筑工程竣工验收备案', '物业服务企业备案']],
  ['pla', '县城乡规划局', ['建设用地规划许可', '建设工程规划许可', '乡村建设规划许可', '规划条件核实'], ['规划条件查询', '地形图提供', '规划咨询服务', '门牌号码编制']],
  ['tra', '县交通运输局', ['道路运输经营许可', '出租汽车经营许可', '公路占用挖掘许可', '超限运输车辆行驶公路许可', '机动车维修经营备案核准'], ['道路运输证年审', '从业资格证补办', '公交IC卡办理', '交通违章处理咨询']],
  ['wat', '县水利局', ['取水许可', '河道管理范围内建设项目审批', '水土保持方案审批', '洪水影响评价审批', '农村集体经济组织修建水库审批'], ['水资源费缴纳', '防汛信息查询', '农田水利设施报修', '水事纠纷调处']],
  ['agr', '县农业局', ['农药经营许可', '种子生产经营许可', '兽药经营许可', '动物防疫条件合格证核发', '拖拉机驾驶证核发'], ['农机购置补贴申请', '动物检疫申报', '农业技术咨询', '耕地地力保护补贴申领', '农产品质量检测']],
  ['for', '县林业局', ['林木采伐许可', '木材运输许可', '征占用林地审核', '野生动物驯养繁殖许可', '林木种子生产经营许可'], ['林权登记查询', '森林防火宣传服务', '林业有害生物防治服务', '生态公益林补偿申领']],
  ['com', '县商务局', ['对外贸易经营者备案登记', '成品油零售经营资格初审', '酒类流通备案', '再生资源回收经营者备案', '拍卖企业设立初审'], ['外贸企业政策咨询', '电子商务培训报名', '商贸流通统计', '家电以旧换新补贴']],
  ['cul', '县文化广电新闻出版局', ['娱乐场所经营许可', '互联网上网服务营业场所经营许可', '出版物零售单位设立审批', '营业性演出许可', '卫星电视广播地面接收设施安装许可'], ['图书馆借阅证办理', '文化活动场地预约', '非物质文化遗产项目申报', '广播电视信号故障报修']],
  ['hea', '县卫生和计划生育委员会', ['医疗机构设置审批', '医师执业注册', '护士执业注册', '公共场所卫生许可', '母婴保健技术服务执业许可'], ['出生医学证明办理', '生育服务登记', '预防接种证办理', '计划生育家庭特别扶助申请', '健康证明办理']],
  ['saf', '县安全生产监督管理局', ['危险化学品经营许可', '烟花爆竹经营（零售）许可', '非药品类易制毒化学品经营备案', '安全生产条件审查'], ['安全生产培训报名', '事故隐患举报受理', '安全生产标准化咨询']],
  ['sta', '县统计局', ['涉外调查机构资格认定初审', '地方统计调查项目审批'], ['统计数据查询', '统计证明开具', '统计从业资格培训报名']],
  ['pri', '县物价局', ['价格认证机构资质初审', '经营服务性收费标准核定'], ['收费许可证年审', '价格举报受理', '商品房明码标价备案', '价格监测数据查询']],
  ['tour', '县旅游局', ['旅行社设立许可', '导游证核发初审', '星级饭店评定初审'], ['旅游投诉受理', '旅游咨询服务', '乡村旅游点申报']],
  ['cad', '县人民防空办公室', ['人防工程建设审批', '人防工程拆除审批', '防空地下室易地建设审批'], ['人防工程使用登记', '警报试鸣信息查询']],
  ['arch', '县档案局', ['重点建设项目档案验收', '档案出境审批初审'], ['档案查阅利用', '婚姻档案查询', '知青档案查询', '档案寄存服务']],
  ['fire', '县公安消防大队', ['建设工程消防设计审核', '建设工程消防验收', '公众聚集场所投入使用前消防安全检查', '大型群众性活动消防安全检查'], ['消防设计备案', '消防竣工验收备案', '火灾事故认定复核咨询']],
  ['pol', '县公安局', ['户口迁移审批', '旅馆业特种行业许可', '典当业特种行业许可', '剧毒化学品购买许可', '大型群众性活动安全许可'], ['居民身份证申领', '临时身份证办理', '居住证办理', '无犯罪记录证明', '户籍证明开具', '出入境证件受理']],
  ['eth', '县民族宗教事务局', ['宗教活动场所设立审批', '宗教活动场所扩建审批'], ['少数民族成分变更咨询', '宗教教职人员备案']],
  ['gra', '县粮食局', ['粮食收购资格认定', '军粮供应站资格认定'], ['粮油质量检验', '储备粮轮换信息查询']],
  ['urb', '县城市管理行政执法局', ['城市道路占用挖掘许可', '户外广告设置许可', '城市建筑垃圾处置核准', '临时占用城市绿地审批', '大型户外广告设置许可'], ['城市管理投诉受理', '市政设施报修', '生活垃圾清运预约']],
];

const detailed = loadCatalogue('config/items');
// The unified business licence (三证合一) is promised in 5 working days in the source.
const items = detailed.items.map((i) => (i.code === 'SCJG-001' ? { ...i, promisedDays: 5 } : i));

const deptOf = new Map(DEPARTMENTS.map(([code, name]) => [code, name]));
const dept = (code, taskDays) => ({ code, name: deptOf.get(code), taskDays });
const base = (code, name, category, lead, promisedDays, extra = {}) => ({
  code, name, category,
  leadDepartment: dept(lead, extra.leadTaskDays ?? promisedDays),
  parallelDepartments: extra.parallel ?? [],
  legalBasis: extra.legalBasis ?? [`《${deptOf.get(lead).replace(/^县/, '')}行政审批事项实施办法》（样例）`],
  conditions: extra.conditions ?? ['申请人具备相应的主体资格', '申请材料齐全、符合法定形式'],
  materials: extra.materials ?? [
    { id: 'application', name: `${name}申请表`, acceptance: 'required' },
    { id: 'applicant-id', name: '申请人身份证明或营业执照', acceptance: 'required' },
  ],
  form: GENERIC_FORM,
  ...(extra.statutoryDays !== undefined ? { statutoryDays: extra.statutoryDays } : {}),
  promisedDays,
  fee: extra.fee ?? { kind: 'free' },
  chargingDepartment: lead,
  mode: extra.mode ?? 'direct',
  greenChannel: extra.green ? { eligible: true, promisedDays: extra.green } : { eligible: false },
  result: extra.result ?? `${name}决定书`,
  reviewPoints: ['样例数据：上线前以本县公布的权力清单为准'],
  sameDay: promisedDays === 0,
});

// The source's own figures.
items.push(base('FGW-001', '政府投资项目审批（项目建议书、可行性研究报告）', 'administrative-permit', 'drc', 3, {
  statutoryDays: 60, green: 1, legalBasis: ['《国务院关于投资体制改革的决定》（国发〔2004〕20号）'], result: '政府投资项目批复文件',
}));
items.push(base('FGW-003', '企业投资项目核准', 'administrative-permit', 'drc', 5, {
  statutoryDays: 55, green: 3, legalBasis: ['《企业投资项目核准和备案管理条例》（国务院令第673号）'], result: '项目核准文件',
}));
items.push(base('MZ-KJ-001', '民办非企业单位登记（科技类）', 'public-service', 'civ', 5, {
  parallel: [dept('sci', 3)], leadTaskDays: 5, statutoryDays: 60, legalBasis: ['《民办非企业单位登记管理暂行条例》'], result: '民办非企业单位登记证书',
}));

const MODES = ['direct', 'direct', 'pre-review', 'extended'];
let nPermit = items.filter((i) => i.category === 'administrative-permit').length;
let nService = items.filter((i) => i.category === 'public-service').length;
let k = 0;
for (const [code, , permits, services] of DEPARTMENTS) {
  permits.forEach((name, j) => {
    if (nPermit >= 160) return;
    k++;
    const promised = [3, 5, 7, 10, 15][k % 5];
    const statutory = [20, 20, 30, 20, 45][k % 5];
    items.push(base(`${code.toUpperCase()}-P${String(j + 1).padStart(2, '0')}`, name, 'administrative-permit', code, promised, {
      statutoryDays: Math.max(statutory, promised), mode: MODES[k % 4],
      ...(k % 9 === 0 ? { fee: { kind: 'charged', amountFen: [5000, 8000, 10000, 20000][k % 4], legalBasis: '《行政事业性收费项目目录》（样例）' } } : {}),
      ...(k % 7 === 0 ? { green: 1 } : {}),
    }));
    nPermit++;
  });
  services.forEach((name, j) => {
    if (nService >= 151) return;
    k++;
    // About a third of public services are same-day items (即办件: 能办即办、当场办结).
    const sameDay = k % 3 === 0;
    items.push(base(`${code.toUpperCase()}-S${String(j + 1).padStart(2, '0')}`, name, 'public-service', code, sameDay ? 0 : [1, 2, 3, 5][k % 4], {
      mode: sameDay ? 'direct' : MODES[k % 4], result: `${name}结果`,
    }));
    nService++;
  });
}
// Fill up to the county's own counts with numbered variants of the busiest departments' items.
for (let n = 1; nPermit < 160; n++, nPermit++) {
  items.push(base(`HOU-P${String(50 + n).padStart(2, '0')}`, `建设工程专项许可（第${n}类）`, 'administrative-permit', 'hou', 10, { statutoryDays: 20 }));
}
for (let n = 1; nService < 151; n++, nService++) {
  items.push(base(`HRSS-S${String(50 + n).padStart(2, '0')}`, `社会保险待遇申领（第${n}类）`, 'public-service', 'hrss', n % 2 === 0 ? 0 : 3));
}

const catalogue = catalogueFromItems(items);
const wb = catalogueWorkbook(catalogue, [
  '本表为 Ferry 演示样例（SAMPLE）：事项名称、时限、材料与收费除下列出处外均为虚构，不构成任何县的权力清单。',
  '来自原始需求的数据：政府投资项目审批 法定60/承诺3个工作日；企业投资项目核准 55→5；企业投资项目备案 承诺1；三证合一营业执照 5个工作日；科技类民办非企业单位登记 5。',
  '布局说明见 docs/CATALOGUE.md。生成脚本：scripts/gen-county-sample.mjs。',
]);
const at = new Date('2026-12-01T00:00:00Z');
wb.created = at; wb.modified = at;
mkdirSync('config/catalogue', { recursive: true });
await wb.xlsx.writeFile(OUT);
const back = await readCatalogueSheet(OUT);
if (!back.ok) { console.error(back.errors.join('\n')); process.exit(1); }
const count = (c) => back.catalogue.items.filter((i) => i.category === c).length;
console.log(`${OUT}: ${back.catalogue.items.length} items (${count('administrative-permit')} permits, ${count('public-service')} public services, ${count('filing')} filings), ${back.departments} departments, ${back.catalogue.items.filter((i) => i.sameDay).length} same-day`);
