#pragma once

#include "jsonvalues.h"
#include "tablemodel.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// The buyer's accounts at one seller, as list_accounts pages and sync_accounts results report them: status
// (with its human name), advertiser, operator, billing, and the outcome of the last sync of each entry. Rows
// are keyed by account_id, or by brand + operator for an entry the seller gave no id (a failed sync).
class AccountModel final : public TableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountModel)
public:
    enum Column {
        NameColumn,
        StatusColumn,
        BrandColumn,
        OperatorColumn,
        BillingColumn,
        IdColumn,
        ResultColumn,
        NB_COLUMNS
    };
    // More rows than this are not kept: a seller that pages forever cannot exhaust the window's memory.
    static constexpr int kMaxRows = 5000;

    explicit AccountModel(QObject *parent = nullptr);
    ~AccountModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    void clear();
    // A list_accounts result. The first page replaces the rows; a later one appends (an account already
    // shown is updated in place). Remembers the cursor of the next page.
    void addPage(const nlohmann::json &result, bool firstPage);
    bool hasMore() const;
    QString cursor() const;
    // A sync_accounts result: each entry updates its account's row or adds one, with its action (created,
    // updated, unchanged, failed) and errors shown. Returns the rows the entries landed on, in order.
    QList<int> applySyncResults(const nlohmann::json &result);

    int rowOf(const QString &key) const;
    QString key(int row) const;
    const nlohmann::json &accountJson(int row) const;
    QString status(int row) const;
    // What the seller says is still needed for a pending account (setup.message) and where (setup.url, only
    // http(s)); empty when nothing is.
    QString setupMessage(int row) const;
    QString setupUrl(int row) const;

    // How account-scoped requests name `account`: {account_id} when the seller gave one, else the natural key
    // (brand, operator, operator_unit). Null for something that names no account.
    static nlohmann::json referenceOf(const nlohmann::json &account);
    // "name (account_id)", else "brand via operator".
    static QString titleOf(const nlohmann::json &account);
    // The setup link of an account or of an ACCOUNT_SETUP_REQUIRED error's details; only http(s) URLs.
    static QString setupUrlOf(const nlohmann::json &accountOrDetails);

private:
    struct Row
    {
        QString key;
        nlohmann::json json;
        QString action; // of the last sync_accounts that named it; empty when only listed
        QString error;  // the first error of a failed entry
    };
    static QString keyOf(const nlohmann::json &account);
    int upsert(const nlohmann::json &account, const QString &action, const QString &error);
    QString resultText(const Row &row) const;

    std::vector<Row> m_rows;
    ListingCursor m_next;
};

} // namespace adcp::models
