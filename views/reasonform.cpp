#include "reasonform.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace adcp::gui {

ReasonForm::ReasonForm(const QString &name, const QStringList &reasons, models::Vocabulary vocabulary,
                       const QString &detailHint, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *form = new QFormLayout;
    m_reason = new QComboBox(this);
    m_reason->setObjectName(name + QStringLiteral("Reason"));
    for (const QString &reason : reasons) {
        m_reason->addItem(models::displayName(vocabulary, reason), reason);
        m_reason->setItemData(m_reason->count() - 1, reason, Qt::ToolTipRole);
    }
    form->addRow(tr("Reason"), m_reason);
    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(name + QStringLiteral("Detail"));
    m_detail->setTabChangesFocus(true);
    m_detail->setPlaceholderText(detailHint);
    m_detail->setMaximumHeight(90);
    form->addRow(tr("Detail"), m_detail);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setObjectName(name + QStringLiteral("Problem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b45309;"));
    m_problem->setWordWrap(true);
    layout->addWidget(m_problem);
    connect(m_reason, &QComboBox::currentIndexChanged, this, &ReasonForm::validate);
    connect(m_detail, &QPlainTextEdit::textChanged, this, &ReasonForm::validate);
    validate();
}

ReasonForm::~ReasonForm() = default;

QString ReasonForm::reason() const
{
    return m_reason->currentData().toString();
}

QString ReasonForm::detail() const
{
    return m_detail->toPlainText().trimmed();
}

void ReasonForm::setReason(const QString &reason)
{
    const int index = m_reason->findData(reason);
    if (index >= 0)
        m_reason->setCurrentIndex(index);
}

void ReasonForm::setDetail(const QString &detail)
{
    m_detail->setPlainText(detail);
}

QString ReasonForm::problem() const
{
    if (reason() == QLatin1String("other") && detail().isEmpty())
        return tr("Say why in the detail when the reason is “%1”.")
            .arg(m_reason->currentText());
    if (detail().size() > kMaxDetail)
        return tr("The detail is %1 characters; at most %2 are allowed.")
            .arg(detail().size())
            .arg(kMaxDetail);
    return {};
}

bool ReasonForm::canAccept() const
{
    return problem().isEmpty();
}

void ReasonForm::validate()
{
    m_problem->setText(problem());
    Q_EMIT changed();
}

} // namespace adcp::gui
