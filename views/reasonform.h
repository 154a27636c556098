#pragma once

#include "displaynames.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace adcp::gui {

// A reason chosen from the spec's values and a free-text detail, required when the reason is "other" and
// at most 500 characters; what is wrong shows under the form. Used where the buyer ends something with the
// seller (declining a proposal, closing an opportunity).
class ReasonForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReasonForm)
public:
    static constexpr int kMaxDetail = 500;

    // `name` is the object-name stem of the controls ("<name>Reason", "<name>Detail").
    // `reasons` are the spec's ids; the list shows their display names from `vocabulary`.
    ReasonForm(const QString &name, const QStringList &reasons, models::Vocabulary vocabulary,
               const QString &detailHint,
               QWidget *parent = nullptr);
    ~ReasonForm() override;

    QString reason() const;
    QString detail() const; // trimmed
    void setReason(const QString &reason);
    void setDetail(const QString &detail);
    // Empty when the form can be sent.
    QString problem() const;
    bool canAccept() const;

Q_SIGNALS:
    void changed();

private:
    void validate();

    QComboBox *m_reason = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace adcp::gui
