-- The API lists every wallet by creation date for a platform key.
CREATE INDEX wallets_created ON wallets(creation_date, wallet_id);
