#include "parentconsole.h"

#include <QtGlobal>

#ifdef Q_OS_WIN
#  include <windows.h>

#  include <cstdio>
#endif

namespace ParentConsole {

#ifdef Q_OS_WIN

namespace {

bool isOpen(DWORD which)
{
    const HANDLE handle = GetStdHandle(which);
    return handle != nullptr && handle != INVALID_HANDLE_VALUE && GetFileType(handle) != FILE_TYPE_UNKNOWN;
}

} // namespace

void attach()
{
    const bool in = isOpen(STD_INPUT_HANDLE);
    const bool out = isOpen(STD_OUTPUT_HANDLE);
    const bool err = isOpen(STD_ERROR_HANDLE);
    if (in && out && err)
        return; // every stream is redirected: the caller reads them, no console is wanted
    if (!AttachConsole(ATTACH_PARENT_PROCESS) && !AllocConsole())
        return; // no console to be had: the streams stay closed, as they were
    FILE *reopened = nullptr;
    if (!in)
        freopen_s(&reopened, "CONIN$", "r", stdin);
    if (!out)
        freopen_s(&reopened, "CONOUT$", "w", stdout);
    if (!err)
        freopen_s(&reopened, "CONOUT$", "w", stderr);
}

#else

void attach()
{
}

#endif

} // namespace ParentConsole
