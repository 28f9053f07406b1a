"""Why a file could not be read or written, in words (Chinese, and English with --lang en),
from the error number rather than the C library's English text."""
from __future__ import annotations

import errno

from .diagnostics import Localized

_REASONS = {
    errno.ENOENT: ("文件不存在", "no such file"),
    errno.EACCES: ("没有读写权限", "permission denied"),
    errno.EPERM: ("操作不被允许（权限不足）", "operation not permitted"),
    errno.EISDIR: ("这是一个目录，不是文件", "it is a directory, not a file"),
    errno.ENOTDIR: ("路径中有一段不是目录", "a part of the path is not a directory"),
    errno.ENAMETOOLONG: ("文件名过长", "the file name is too long"),
    errno.ELOOP: ("符号链接层数过多（可能成环）", "too many symbolic links (a loop?)"),
    errno.EIO: ("读写设备出错", "input/output error"),
    errno.ENOSPC: ("磁盘空间已满", "no space left on the device"),
    errno.EROFS: ("文件系统只读", "read-only file system"),
    errno.EMFILE: ("同时打开的文件过多", "too many open files"),
    errno.ENFILE: ("系统打开的文件过多", "too many open files in the system"),
    errno.ETXTBSY: ("文件正被占用", "the file is busy"),
    errno.EFBIG: ("文件过大", "the file is too large"),
}


def os_reason(exc: OSError) -> Localized:
    """文件不存在 / no such file …; an error number not listed keeps the system's text with its number."""
    known = _REASONS.get(exc.errno)
    if known is not None:
        return Localized(*known)
    text = exc.strerror or str(exc)
    return Localized(f"系统错误：{text}（errno {exc.errno}）" if exc.errno else f"系统错误：{text}",
                     f"{text} (errno {exc.errno})" if exc.errno else text)
