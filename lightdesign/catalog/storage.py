"""Texts about where a workspace is kept: saved status, the workspace link, recent workspaces."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "store.saved": tr(":material/cloud_done: Saved", ":material/cloud_done: 已保存"),
    "store.saved.help": tr(
        "Every change is written to {where} as you make it; the link opens this workspace again.",
        "每次修改都会立即写入 {where}；用链接可以再次打开这个工作区。",
    ),
    "store.failed": tr(
        "Not saved: {reason}. You can keep working; saving is retried on your next action.",
        "未保存：{reason}。可以继续工作；下一次操作时会重试保存。",
    ),
    "store.unknown": tr("the database has not been opened yet", "数据库尚未打开"),
    "store.link": tr("Workspace link", "工作区链接"),
    "store.link.help": tr(
        "This link is the key to your workspace: anyone who has it can open and change it. "
        "Bookmark it to come back; share a design with the share link instead.",
        "这个链接就是工作区的钥匙：任何拿到它的人都能打开和修改它。收藏它以便回来；分享单个设计请用分享链接。",
    ),
    "store.reloaded": tr(
        "What you changed (a design or a setting) was changed in another tab; reloaded. "
        "Your last change was not applied: make it again.",
        "你修改的内容（设计或设置）已在另一个标签页中修改；已重新载入。你刚才的修改没有应用，请再做一次。",
    ),
    "store.updated": tr("Updated with changes made in another tab.", "已载入在另一个标签页中的修改。"),
    "store.not_found": tr(
        "No workspace is kept under this link (it may have been removed after a long time unused); "
        "a new workspace was started.",
        "这个链接下没有工作区（可能因长期未使用已被删除）；已新建一个工作区。",
    ),
    "store.bad_link": tr(
        "The workspace link is not valid (a workspace id is 22 letters, digits, '-' or '_'); "
        "a new workspace was started.",
        "工作区链接无效（工作区 id 由 22 个字母、数字、'-' 或 '_' 组成）；已新建一个工作区。",
    ),
    "store.recent": tr("Recent workspaces (this browser)", "最近的工作区（本浏览器）"),
    "store.recent.none": tr("No other workspace opened in this browser yet.", "本浏览器尚未打开过其他工作区。"),
}
