#pragma once

#include <QDialog>

class QDialogButtonBox;

namespace adcp::gui {

class ReasonForm;

// Declining a proposal: one of the ten reasons, a detail (required for "other", at most 500 characters),
// and the exact version being declined, so the seller knows which offer the buyer evaluated.
class DeclineDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeclineDialog)
public:
    DeclineDialog(const QString &proposalId, const QString &proposalVersion, const QString &name,
                  QWidget *parent = nullptr);

    static const QStringList &reasons();

    QString reason() const;
    QString detail() const;
    void setReason(const QString &reason);
    void setDetail(const QString &detail);
    bool canAccept() const;
    QString problem() const;

private:
    ReasonForm *m_form = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace adcp::gui
