#include "pluraltranslator.h"

namespace adcp::models {

PluralTranslator::PluralTranslator(QObject *parent) : QTranslator(parent) {}

PluralTranslator::~PluralTranslator() = default;

QString PluralTranslator::translate(const char *, const char *sourceText, const char *, int n) const
{
    // Only counted texts are ours to change; everything else falls through to the source text.
    if (n < 0 || !sourceText)
        return {};
    QString text = QString::fromUtf8(sourceText);
    if (!text.contains(QLatin1String("(s)")))
        return {};
    text.replace(QLatin1String("(s)"), n == 1 ? QString() : QStringLiteral("s"));
    return text;
}

bool PluralTranslator::isEmpty() const
{
    return false;
}

} // namespace adcp::models
