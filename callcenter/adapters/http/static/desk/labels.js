// One table of Chinese labels for every code the API sends (terms from docs/glossary.md).
// A code missing here is shown as it is, so a new server value is visible rather than hidden.

export const LABELS = {
  status: {
    draft: "草稿", registered: "已受理", resolved_on_call: "直接办结", dispatched: "已派单",
    acknowledged: "已签收", in_progress: "办理中", returned: "已退单", replied: "已回单",
    callback_pending: "待回访", closed: "已办结",
  },
  action: {
    register: "受理", resolve_on_call: "直接办结", dispatch: "派单", acknowledge: "签收",
    start_handling: "开始办理", contribute: "协办意见", reply: "回单", return: "退单", reassign: "改派",
    reject_return: "驳回退单", request_extension: "申请延期", approve_extension: "批准延期",
    reject_extension: "不批准延期", schedule_callback: "安排回访", callback_satisfied: "回访：满意",
    callback_basically_satisfied: "回访：基本满意", survey_call: "自动回访外呼",
    callback_dissatisfied: "回访：不满意（重办）", callback_unreachable: "回访：联系不上",
    callback_given_up: "回访：联系不上（结束）", reopen: "重办", supervise: "督办", review: "评单",
    assess: "考单", create: "录入",
  },
  urgency: { extra_urgent: "特急", urgent: "紧急", expedited: "急件", normal: "普通" },
  request_type: { consultation: "咨询", complaint: "投诉", request: "求助", enterprise_request: "企业诉求" },
  intent: { consultation: "咨询", request: "求助", complaint: "投诉", report: "举报", suggestion: "建议" },
  role: { agent: "话务员", dispatcher: "派单员", supervisor: "督办员", unit_staff: "承办单位人员", admin: "管理员" },
  supervision_kind: { platform: "平台督办", key: "重点督办", special: "专项督办", on_site: "现场督办", media: "媒体督办" },
  supervision_trigger: { manual: "人工督办", overdue: "超期（红牌）", duplicates: "重复来电（并单）", return_limit: "退单次数超限" },
  supervision_status: { open: "督办中", closed: "已结束" },
  alert: { warning: "黄牌（临期预警）", overdue: "红牌（超期）", contact_overdue: "联系超时" },
  callback_outcome: { satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意", unreachable: "联系不上" },
  survey_note: {
    attempts_used: "多次未接通", window_passed: "超出回访时限", number_failed: "号码无法接通", confidential: "保密工单",
    declined: "市民拒绝回访", no_number: "无联系电话", not_callable: "号码不可自动外呼", disabled: "未开启自动回访", trigger_off: "该类办结不回访",
    not_selected: "不在回访范围", order_moved: "工单已变更",
  },
  survey_state: {
    pending: "待外呼", dialing: "外呼中", retry_wait: "等待重拨", done: "已回访", manual: "转人工回访",
    skipped: "不回访", cancelled: "已取消",
  },
  survey_outcome: {
    satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意", no_answer: "无人接听",
    busy: "占线", hung_up: "未答挂机", no_input: "未按键未识别", failed: "号码无法接通", lost: "外呼中断",
  },
  extension_status: { pending: "待审批", approved: "已批准", rejected: "未批准", lapsed: "已失效" },
  return_outcome: { pending: "待审核", reassigned: "已改派", rejected: "已驳回" },
  annotation: { supervision: "督办", review: "评单", assessment: "考单" },
  unit_kind: { street_office: "街道办事处", department: "职能部门", enterprise: "公共服务企业", other: "其他" },
  source: { call: "来电", manual: "人工录入" },
  call_outcome: {
    answered: "已接通", abandoned: "放弃", callback_requested: "预约回拨", in_progress: "进行中", ended_in_greeting: "欢迎语中挂机", lost_track: "未跟踪",
  },
  failure: {
    no_caller_speech: "未识别到来电人语音", silent: "录音无声", empty: "录音为空", unreadable: "录音无法读取",
    not_found: "录音文件缺失", too_short: "录音过短", transcription_failed: "转写失败",
    unsupported_rate: "录音采样率过低（低于8kHz）", unsupported_channels: "录音声道数不支持", invalid_samples: "录音数据损坏",
    clipped: "录音削波失真，请对照录音核对转写",
  },
  privacy_kind: { phone: "电话", id_number: "身份证号", bank_card: "银行卡号", name: "姓名", address: "住址" },
  speaker: { caller: "来电人", agent: "坐席" },
  activity: { logged_out: "未签入", idle: "空闲", ringing: "振铃", on_call: "通话中", wrap_up: "话后整理", paused: "示忙" },
  pause_reason: { acw: "话后整理", break: "小休", meal: "用餐", training: "培训", meeting: "会议", other: "其他", unavailable: "话机未注册" },
  skill: { enterprise: "涉企", dialect: "方言", foreign: "外语" },
  location_issue: { too_coarse: "只到区县，需具体到街道", ambiguous: "对应多个区域，请核实", inconsistent: "提到的地名相互矛盾，请核实", no_match: "未识别到地名" },
  unclear: {
    no_category: "未选择诉求分类", area_unresolved: "地址无法确定区域", area_too_coarse: "地址只到区县，需具体到街道",
    ambiguous: "地址对应多个区域", no_rule: "该分类在此区域无派单规则", unit_inactive: "规则指定的单位已停用",
  },
  password_reason: {
    too_short: "至少 10 位", too_long: "最多 256 位", contains_login: "不能包含账号名",
    common: "这是常见密码，很容易被猜中", repetitive: "不能是重复的字符或简单重复的组合",
    sequence: "不能是连续的字母、数字或键盘顺序（如 1234567890、qwertyuiop）",
    few_classes: "16 位以下的密码须包含大写字母、小写字母、数字、符号中的至少三类",
    same_as_current: "新密码不能与当前密码相同",
  },
  error: {
    concurrent_update: "工单已被他人修改，已刷新", invalid_transition: "当前状态不能执行此操作",
    role_forbidden: "您的角色无权执行此操作", not_lead_unit: "只有主办单位可以执行此操作",
    ticket_not_visible: "工单不存在或无权查看", not_found: "未找到", invalid_input: "输入有误",
    personal_data_in_url: "个人信息不能放在网址中",
    unknown_unit: "承办单位代码不存在", inactive_unit: "承办单位已停用", unknown_category: "诉求分类不存在",
    inactive_category: "诉求分类已停用", unknown_area: "区域代码不存在", reason_required: "请填写原因",
    note_required: "请填写说明", reassign_to_same_unit: "不能改派给原单位", return_limit_reached: "退单次数已达上限",
    extension_limit_exceeded: "延期天数超过上限", extension_pending: "已有待审批的延期申请",
    no_pending_extension: "没有待审批的延期申请", supervision_closed: "督办已结束",
    supervision_not_found: "督办不存在", supervision_due_before_opening: "督办期限早于开始时间",
    supervision_kind_required: "请选择督办类型", supervision_target_invalid: "督办对象无效",
    invalid_credentials: "账号或密码错误", not_authenticated: "请先登录", access_denied: "无权访问",
    too_many_attempts: "尝试过于频繁", login_locked: "该账号在本机连续输错密码次数过多，已暂时锁定（可请管理员解除）",
    weak_password: "密码强度不够", wrong_password: "当前密码不正确", password_change_required: "请先修改密码",
    cannot_deactivate: "不能停用自己的账号",
    seat_taken: "该坐席已被他人签入", already_logged_in: "您已在其他坐席签入，请先签出", not_logged_in: "您尚未签入坐席",
    busy_on_call: "通话中不能签出", live_state_unavailable: "坐席状态服务暂不可用", telephony_unavailable: "电话系统暂不可用",
    privacy_review_needed: "保密工单仍含可识别举报人的信息，请核对",
    invalid_article: "知识条目填写有误", unknown_article: "知识条目不存在或已删除",
    cross_site_request: "请求来源无效，请刷新页面后重试", unsupported_media_type: "请求格式不被接受",
    invalid_text: "内容含有无法保存的字符", json_too_deep: "请求内容层级过深", too_many_streams: "打开的实时页面过多，请关闭其他页面",
    survey_call_not_found: "该回访没有这次外呼", survey_recording_missing: "录音不存在或不可用",
    attachment_quota_exceeded: "本工单附件总量已达上限", internal_error: "服务器内部错误，请稍后再试",
    http_404: "接口不存在", http_405: "请求方式不被允许", network: "无法连接服务器",
  },
};

/** The Chinese label of ``code`` in table ``kind``; the code itself when the table has none. */
export function label(kind, code) {
  if (code === null || code === undefined || code === "") return "—";
  const table = LABELS[kind] || {};
  return Object.prototype.hasOwnProperty.call(table, code) ? table[code] : String(code);
}

/** Options for a <select>: [value, label] pairs in the table's order. */
export function options(kind) {
  return Object.entries(LABELS[kind] || {});
}
