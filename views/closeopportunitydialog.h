#pragma once

#include <QDialog>

class QDialogButtonBox;

namespace adcp::gui {

class ReasonForm;

// Closing a planning cycle with the seller: a close_reason and, for "other", a detail.
class CloseOpportunityDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CloseOpportunityDialog)
public:
    explicit CloseOpportunityDialog(const QString &title, QWidget *parent = nullptr);

    static const QStringList &reasons();
    QString reason() const;
    QString detail() const;
    void setReason(const QString &reason);
    void setDetail(const QString &detail);
    bool canAccept() const;

private:
    ReasonForm *m_form = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace adcp::gui
