#include "translations.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace Translations {

QList<QTranslator *> install(QCoreApplication *app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // Qt's own come from where Qt keeps them: Debian's qt6-translations-l10n, or the folder
    // windeployqt and macdeployqt fill next to the program.
    const struct {
        const char *name;
        QString directory;
    } files[] = {
        {"taskmaster", QStringLiteral(":/i18n")},
        {"qtbase", QLibraryInfo::path(QLibraryInfo::TranslationsPath)},
    };
    QList<QTranslator *> installed;
    for (const auto &file : files) {
        auto *translator = new QTranslator(app);
        if (translator->load(locale, QLatin1String(file.name), QStringLiteral("_"), file.directory)
            && QCoreApplication::installTranslator(translator)) {
            installed.append(translator);
        } else {
            // English needs no file, so a missing one is only worth a debug line.
            qCDebug(lcGui).noquote() << "no" << file.name << "translation for" << locale.name() << "in" << file.directory;
            delete translator;
        }
    }
    return installed;
}

} // namespace Translations
