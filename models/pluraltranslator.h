#pragma once

#include <QTranslator>

namespace adcp::models {

// The workbench's own English: texts are written once as tr("%n buy(s)", nullptr, n) and this translator
// turns "(s)" into the right English form for n ("1 buy", "2 buys"). A real translation (.qm) installed
// after it takes precedence for its language.
class PluralTranslator final : public QTranslator
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PluralTranslator)
public:
    explicit PluralTranslator(QObject *parent = nullptr);
    ~PluralTranslator() override;

    QString translate(const char *context, const char *sourceText, const char *disambiguation = nullptr,
                      int n = -1) const override;
    bool isEmpty() const override;
};

} // namespace adcp::models
