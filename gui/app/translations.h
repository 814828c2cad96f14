#pragma once

// The app's own translations and Qt's own (qtbase: OK, Cancel, Close, the file dialogs), so a
// Chinese window has no English buttons left in it.

#include <QList>

class QCoreApplication;
class QString;
class QTranslator;

namespace Translations {

// Installs the translations for a language such as "zh_CN" (the system's when empty) on app,
// which owns them. Returns those that were found and installed; deleting one uninstalls it.
QList<QTranslator *> install(QCoreApplication *app, const QString &language);

} // namespace Translations
