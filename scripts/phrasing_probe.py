"""How the literal checks read real news phrasing: answerable questions over a passage that answers them, each
writing a name, number, date or comparison in another way than the passage; faithful answers worded otherwise than
their passage, for the checks after answering; and news sentences that report orders or mention AI, for the
injection filter. A check that fires on one would refuse an answerable question (the failure measured on unseen
news in issue 36: "U.S." read as two names, a year written another way), and a paragraph the injection filter
drops is lost to every question. Self-written from forms that news, business and sports writing use; no gold
question of any set is among them. Prints each one a check misreads and the counts.

    python scripts/phrasing_probe.py
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.grounding import CitationGrounder
from rag.injection import orders
from rag.opposites import negated, opposites
from rag.specifics import missing_specifics
from rag.types import Chunk, ScoredChunk

# (question, passage): the passage states what the question names, in another form.
SPECIFICS = [
("What did Erdogan say?", "Turkish President Recep Tayyip Erdoğan said the talks would resume."),
("What did Erdoğan say?", "Turkish President Recep Tayyip Erdogan said the talks would resume."),
("Where does Müller play?", "Thomas Mueller plays for Bayern."),
("What did Zelensky say?", "Volodymyr Zelenskyy said the talks would resume."),
("What happened in Kiev?", "Crowds gathered in Kyiv on Sunday."),
("What did McDonalds announce?", "McDonald's announced a new menu."),
("What happened in St. Louis?", "A storm hit Saint Louis on Monday."),
("What happened in Saint Louis?", "A storm hit St. Louis on Monday."),
("What did Jean Luc Picard say?", "Jean-Luc Picard said nothing."),
("What happened in New York City?", "Crowds gathered in New York on Sunday."),
("What did the Dutch government decide?", "The Netherlands decided to close its borders."),
("What did the Swiss bank do?", "A bank in Switzerland froze the assets."),
("What did the French president say?", "The president of France said the talks would resume."),
("What did the Chinese ministry say?", "China's ministry said the talks would resume."),
("What is the COVID-19 death toll?", "The Covid-19 death toll rose to 500."),
("By how much did prices rise, 5 percent?", "Prices rose 5% in March."),
("Did prices rise 5%?", "Prices rose five per cent in March."),
("Did prices rise by 5 per cent?", "Prices rose 5 percent in March."),
("What cost $5bn?", "The bridge cost 5 billion dollars."),
("What cost 5 billion dollars?", "The bridge cost $5bn."),
("What cost £2.5m?", "The bridge cost 2.5 million pounds."),
("Were 500,000 people affected?", "Half a million people were affected."),
("What happened at 3 p.m.?", "The blast happened at 15:00."),
("What happened at 3pm?", "The blast happened at 3 p.m. on Monday."),
("What happened at 15:00?", "The blast happened at 3 p.m. on Monday."),
("What did the Council decide?", "The council decided to close the pool."),
("What did NATO decide?", "Nato decided to send troops."),
("What did the U.K. decide?", "Britain decided to send troops."),
("What did the UK decide?", "The United Kingdom decided to send troops."),
("What did the US decide?", "America decided to send troops."),
("What did Washington decide?", "The U.S. decided to send troops."),
("Who won the Super Bowl?", "The Chiefs won Super Bowl LVIII."),
("What did the Prime Minister say?", "Prime minister Rishi Sunak said no."),
("What did Sunak say?", "Prime Minister Rishi Sunak said no."),
("Who is the CEO of Tesla?", "Tesla's chief executive, Elon Musk, said no."),
("What did the E.U. decide?", "The European Union decided to act."),
("What did the EU's executive decide?", "The European Commission, the bloc's executive, decided to act."),
("How many people died on 9/11?", "Nearly 3,000 people died in the September 11 attacks."),
("What happened in the second quarter?", "Profit rose in Q2."),
("What happened in Q2?", "Profit rose in the second quarter."),
("What happened in 2Q?", "Profit rose in the second quarter."),
("Who did Man United sign?", "Manchester United signed a striker."),
("What did the Fed decide?", "The Federal Reserve decided to hold rates."),
("What did the WHO say?", "The World Health Organization said the risk was low."),
("What did the World Health Organisation say?", "The World Health Organization said the risk was low."),
("What did Mr. Smith say?", "Mr Smith said no."),
("What did Dr Smith say?", "Dr. Jane Smith said no."),
("What happened on Jan 5?", "On January 5 the market fell."),
("What happened on 5th January?", "On January 5 the market fell."),
("What happened on January 5th?", "On 5 January the market fell."),
("How many people live in the city of 2.3 million?", "The city of 2,300,000 people voted."),
("Did 10 000 people attend?", "10,000 people attended."),
("Did 10.000 people attend?", "10,000 people attended."),
("What did the 49ers do?", "The San Francisco 49ers won."),
("Who leads the AfD?", "The Alternative for Germany (AfD) is led by Alice Weidel."),
("What did Apple's CEO Tim Cook say?", "Apple chief executive Tim Cook said no."),
("What did the mayor of L.A. say?", "The mayor of Los Angeles said no."),
("What did the NYPD say?", "The New York Police Department said no."),
("Who won the Oscars?", "She won the Academy Award for best actress."),
("What did the Conservatives decide?", "The Conservative Party decided to act."),
("What did the Tories decide?", "The Conservative Party decided to act."),
("What did Labour propose?", "The Labour party proposed a bill."),
("What happened in the Middle East?", "Fighting spread across the Mideast."),
("What is the iPhone 15's price?", "The iPhone 15 costs 799 dollars."),
("How fast is the A320neo?", "The Airbus A320neo flies at 840 km/h."),
]

# (question, passage): the passage answers a question worded with an opposite, a comparison or a negation.
REVERSED = [
("Which country spent less on defence than Germany?", "Germany spent more on defence than France did last year."),
("Who earns less, nurses or doctors?", "Doctors earn more than nurses, the survey found."),
("Which team scored the fewest goals?",
 "Rovers scored the most goals, while City managed only 12, the fewest in the league."),
("What was the lowest temperature recorded?", "Temperatures ranged from a high of 35C to a low of 12C."),
("Which is the least populated region?", "The north is the most populated region; the islands have the fewest people."),
("What decreased after the tax rise?", "Sales fell sharply after the tax increase."),
("Why did unemployment increase?", "Unemployment rose because factories closed."),
("Which players were unavailable for the match?", "Smith and Jones were not available for the match."),
("What was the unofficial result?",
 "Officials had not yet confirmed the result, which unofficial counts put at 52 percent."),
("Who is the incumbent mayor?", "The incumbent, Mayor Ana Ruiz, is seeking a second term."),
("What was unusual about the vote?", "The vote was unusual because it was held online."),
("Which drivers were disqualified?", "Two drivers were disqualified after the race for unsafe driving."),
("How did the market react to the uncertain outlook?", "Markets fell as the outlook remained uncertain."),
("Why was the deal unpopular?", "The deal was unpopular with voters because it raised fares."),
("What made the bridge unsafe?", "Inspectors found cracks that made the bridge unsafe."),
("Was the strike legal?", "A court ruled the strike illegal on Monday."),
("What was the earliest date for the election?", "The election could be held as early as March."),
("Who had the worst record?", "United had the best record; Rovers had the worst."),
("Which companies were not affected?", "All banks were affected except Nordbank."),
("What did the minister not say?", "The minister declined to say when the report would be published."),
("Why did the team not play on Sunday?", "The match was postponed because of snow."),
("Which roads are not open?", "The A1 and A3 remain closed after the floods."),
("How much less did the project cost than planned?", "The project cost 2 million pounds less than planned."),
("Who was the most valuable player?", "Okoro was named the most valuable player."),
("What did the independent inquiry find?", "An independent inquiry found failings at the hospital."),
("Who is the independent candidate?", "Jo Lane is standing as an independent."),
("What was the output of the plant in 2022?", "The plant produced 4,000 tonnes in 2022."),
("What happened to house prices in the past year?", "House prices rose 5% over the past year."),
("What is expected in the future?", "Prices are expected to rise in future."),
("Which teams did not qualify?", "Only Spain and France qualified; Italy and Norway were knocked out."),
("Who does not support the plan?", "The plan is opposed by the Greens and Labour."),
("Did the council not approve the budget?", "The council rejected the budget by 20 votes to 12."),
]


# (question, faithful answer citing [1], passage): the checks after answering must neither withhold nor refuse it.
ANSWERS = [
("How much did prices rise in March?", "Prices rose 5% in March [1].",
 "Prices rose five per cent in March, the office said."),
("How much did prices rise in March?", "Prices rose five percent in March [1].",
 "Prices rose 5% in March, the office said."),
("How much did the bridge cost?", "The bridge cost $5 billion [1].", "The bridge cost 5bn dollars, officials said."),
("How many people attended?", "About two hundred people attended [1].", "Some 200 people attended the vigil."),
("When did the vote take place?", "The vote took place on 5 March 2021 [1].", "The vote took place on March 5, 2021."),
("When did the vote take place?", "The vote took place on March 5th, 2021 [1].", "The vote was held on 2021-03-05."),
("Who did Erdogan meet?", "Erdogan met Vladimir Putin [1].", "Recep Tayyip Erdoğan met Vladimir Putin in Sochi."),
("What did the WHO say?", "The World Health Organization said the risk was low [1].", "The WHO said the risk was low."),
("Who won the 2019 final?", "Liverpool won the 2019 final [1].", "Liverpool won the 2018-19 Champions League final."),
("When did the blast happen?", "The blast happened at 3 p.m. [1].", "The blast happened at 15:00 local time."),
("How many people were affected?", "Half a million people were affected [1].", "500,000 people were affected."),
("Which country spent more?", "Germany spent more than France [1].", "France spent less than Germany on defence."),
("What did the Dutch government decide?", "The Netherlands decided to close its borders [1].",
 "The Dutch government decided to close its borders."),
("Who leads the party?", "Keir Starmer leads the Labour Party [1].", "Labour leader Keir Starmer spoke on Monday."),
("When did Ri defect?", "Ri defected in November [1].",
 "Authorities confirmed on Tuesday that in November, diplomat Ri Il Kyu escaped."),
("How old is Ri?", "Ri is 52 years old [1].", "Ri, 52, escaped with his family."),
("How long did the strike last?", "The strike lasted two weeks [1].", "The 14-day strike ended on Friday."),
("How many goals did Okoro score?", "Okoro scored 21 goals [1].", "Okoro scored twenty-one goals last season."),
("What share voted yes?", "52 percent voted yes [1].", "Fifty-two per cent voted yes."),
("When did the plant open?", "The plant opened in the 1990s [1].", "The plant opened in the '90s."),
("Who is the CEO of Tesla?", "Elon Musk is Tesla's CEO [1].", "Tesla's chief executive, Elon Musk, said no."),
("Who scored?", "Kane scored in the 90th minute [1].", "Kane scored in the ninetieth minute."),
("How many seats did it win?", "It won 326 of the 650 seats [1].",
 "The party won 326 seats in the 650-seat parliament."),
("How many people were hurt?", "No one was hurt [1].", "No one was hurt in the blast, police said."),
("How many people were injured?", "Nobody was injured [1].", "Nobody was injured, the fire service said."),
("How many people were evacuated?", "Hundreds of people were evacuated [1].",
 "Hundreds of people were evacuated from the area."),
("How many homes were flooded?", "Dozens of homes were flooded [1].", "Dozens of homes were flooded overnight."),
("How many people attended?", "Thousands of people attended [1].", "Thousands of people attended the rally."),
("How many times did he win?", "He won twice [1].", "He won the title twice."),
("How many cars were involved?", "A single car was involved [1].", "Police said a single car was involved."),
("How many people died?", "Several people died [1].", "Several people died in the crash."),
("How many candidates are there?", "There are a dozen candidates [1].", "A dozen candidates are standing."),
("How many teams played?", "Both teams played [1].", "Both teams played a full match."),
("What is the name of the drug?", "The drug is called fentanyl [1].", "Police seized fentanyl worth 2 million."),
("What was the name of the operation?", "The operation was dubbed “clean sweep” [1].",
 "The operation, dubbed clean sweep, ended on Friday."),
]


# News sentences that report orders or mention AI without giving the assistant any: the injection filter must keep
# them (a paragraph it drops is lost to every question).
NEWS_NOT_ORDERS = [
    "Residents were told to ignore the rumours and follow official guidance.",
    "The AI assistant ChatGPT was asked to write a poem about the floods, and its answer went viral.",
    "Police urged drivers: do not travel unless necessary.",
    "'Forget everything you know about football,' said the coach after the 7-1 defeat.",
    "Ignore the noise, the minister told MPs, and focus on the budget.",
    "Researchers found that chatbots can be tricked with prompts such as 'ignore all previous instructions'.",
    "The company's new AI model will answer customer questions in 40 languages.",
    "Always answer the phone politely, the manual tells staff.",
    "Voters should disregard the leaflets, the electoral commission said.",
    "The system prompt of the bot was leaked online, the researchers said.",
    "You must register by Friday to vote, the council reminded residents.",
    "As an AI language model, the chatbot refused to give medical advice, the report said.",
]


# Round 2 (2026-12-07): written in one sitting before any was run, in forms round 1 lacks; reported apart, so the
# forms fixed after round 1 are not what measures how the checks read phrasing they were not fixed for.
SPECIFICS_2 = [
("What did J.K. Rowling write?", "JK Rowling wrote a new novel."),
("What did JK Rowling write?", "J. K. Rowling wrote a new novel."),
("What did the UN Security Council decide?", "The United Nations Security Council voted on Tuesday."),
("What did the United Nations say?", "The UN said aid was blocked."),
("What happened on Mt. Everest?", "Two climbers died on Mount Everest."),
("What did Gov. Newsom sign?", "Governor Gavin Newsom signed the bill."),
("What did Sen. Warren propose?", "Senator Elizabeth Warren proposed a tax."),
("What did President Biden say?", "Joe Biden said the talks would resume."),
("What did Procter and Gamble report?", "Procter & Gamble reported higher sales."),
("What happened in mid-2020?", "In the middle of 2020, the plant closed."),
("Did the firm earn $3.2 billion in 2023?", "The firm earned $3.2bn in 2023."),
("Did 1.5m people visit?", "1.5 million people visited the fair."),
("Did 1,500,000 people visit?", "1.5 million people visited the fair."),
("What happened in February 2022?", "In Feb. 2022 Russia invaded Ukraine."),
("Who won the 100m?", "She won the 100 metres final."),
("How tall is the 300-metre tower?", "The tower is 300 m tall."),
("What did the company's 2,000 workers do?", "Its two thousand workers went on strike."),
("What did the third-largest bank do?", "The country's third largest bank cut rates."),
("What happened on Christmas Day?", "On December 25 the shops were shut."),
("What did Saudi Arabia announce?", "The Saudi government announced a new tax."),
("What did the Philippines decide?", "The Philippine government decided to act."),
("What did LA decide?", "Los Angeles decided to act."),
("Who won the 2021 US Open?", "Medvedev won the 2021 U.S. Open."),
("Who scored in the 2022 World Cup final?", "Messi scored twice in the final of the 2022 FIFA World Cup."),
("What did the Spanish PM say?", "Spain's prime minister said no."),
("What did the 76ers do?", "The Philadelphia 76ers won."),
("What did the G7 agree?", "The Group of Seven agreed to act."),
("Are the grants worth £10,000?", "The plan offers £10k grants."),
("What did the couple's 3-year-old do?", "Their three-year-old son ran away."),
("What did O'Brien say?", "Conan O\u2019Brien said he would stay."),
("What did the BBC report?", "The British Broadcasting Corporation reported the news."),
("What happened in Washington D.C.?", "Protesters marched in Washington, DC."),
("What happened in the Democratic Republic of Congo?", "Fighting spread in the DRC."),
("What did Nvidia report?", "NVIDIA reported record revenue."),
("What did Deutsche Bank do?", "Deutsche Bank AG cut jobs."),
("Who won the men's 1,500 metres?", "He won the men's 1500m."),
]

REVERSED_2 = [
("Which was the smaller of the two offers?", "The first offer was larger than the second."),
("Did the company lose money?", "The company made a profit of 2 million."),
("Who finished last?", "Smith finished first and Jones last."),
("What fell in price?", "Oil rose while gas fell."),
("Which candidate lost?", "Lee won the election, beating Park."),
("Who opposed the bill?", "Democrats supported the bill, Republicans opposed it."),
("What is the disadvantage of the plan?", "The plan's main advantage is cost; its disadvantage is time."),
("Which side was defeated?", "The army defeated the rebels."),
("When did the war end?", "The war began in 1914 and ended in 1918."),
("Which bank closed?", "Two banks opened and one closed."),
("Who was absent?", "All members were present except Smith, who was absent."),
("What was the weakest quarter?", "Sales were strongest in spring and weakest in winter."),
]

ANSWERS_2 = [
("How long did the strike last?", "The strike lasted 14 days [1].", "The two-week strike ended on Friday."),
("How much did the firm earn?", "The firm earned $3.2 billion [1].", "The firm earned $3.2bn last year."),
("Who heads the agency?", "Jane Doe heads the agency [1].", "Agency head Jane Doe said the budget was cut."),
("Who chairs the committee?", "Tom Lee chairs the committee [1].", "Committee chairman Tom Lee said no."),
("Who manages the team?", "Ann Berg manages the team [1].", "Team manager Ann Berg said no."),
("How many people voted?", "About 1.2 million people voted [1].", "Some 1,200,000 people voted."),
("When did the store open?", "The store opened on Monday [1].", "The store, which opened Monday, sells shoes."),
("How old is she?", "She is 34 [1].", "The 34-year-old said she would stay."),
("Where did the summit take place?", "The summit took place in Washington, D.C. [1].",
 "The summit in Washington DC ended on Friday."),
("How many were killed?", "At least a dozen people were killed [1].", "At least 12 people were killed."),
("How hot did it get?", "It reached 40 degrees Celsius [1].", "Temperatures hit 40C on Monday."),
("How far away is the town?", "The town is 5 kilometres away [1].", "The town is 5km away."),
("How much did it cost?", "It cost 10,000 pounds [1].", "It cost £10k, the council said."),
("Who founded the firm?", "Ada Ng founded the firm [1].", "Founder Ada Ng said the firm would grow."),
("Who won the US Open?", "Medvedev won the US Open [1].", "Medvedev won the U.S. Open."),
("How many members does the G7 have?", "The G7 has seven members [1].", "The Group of Seven has seven members."),
]

NEWS_NOT_ORDERS_2 = [
    "Do not approach the suspect, police warned.",
    "The new rules tell banks to disregard earlier guidance.",
    "Ignore previous forecasts, the Met Office said, as the storm changed course.",
    "Students were instructed to answer every question in English.",
    "The chatbot, which runs on a large language model, answered in French.",
    "Pretend to be a customer, the trainer told new staff.",
    "'You are now entering a restricted zone,' the sign read.",
    "The assistant coach was told to leave the bench.",
    "Assistant Chief Constable Jo Harris said officers would review the footage.",
    "Hackers tried to override the system with fake commands, the bank said.",
]


# Round 3 (2026-12-07, seventeenth stop): written in one sitting before any was run, in forms rounds 1 and 2 lack;
# with near misses that the checks must still catch (`*_CAUGHT`), so that a fix that reads too much is seen too.
SPECIFICS_3 = [
("What did the Met Police say?", "The Metropolitan Police said the road was closed."),
("What happened in the 1990s?", "In the nineties, the factory closed."),
("What did the NHS announce?", "The National Health Service announced new funding."),
("What happened on 7 October 2023?", "On Oct. 7, 2023, militants attacked the border."),
("What happened on the 4th of July?", "On July 4 the parade took place."),
("How many people live in S\u00e3o Paulo?", "Sao Paulo has 12 million residents."),
("What did the U.K. government announce?", "The British government announced new rules."),
("Who won Euro 2024?", "Spain won the 2024 European Championship."),
("What happened during the Covid pandemic?", "During the coronavirus pandemic, sales fell."),
("How much is the \u00a31.2bn deal worth to the town?", "The 1.2 billion pound deal brings jobs to the town."),
("What happened in Q4 2023?", "In the final quarter of 2023 profit fell."),
("What did the 2024 Paris Olympics cost?", "The Paris 2024 Games cost 9 billion euros."),
("What happened in the second half of 2023?", "In H2 2023 profits fell."),
("What did St Mary's Hospital say?", "St. Mary's Hospital said the ward was closed."),
("What did the Ministry of Defence say?", "The MoD said the drills would go ahead."),
("What happened at 9am?", "At 9 a.m. the doors opened."),
("What happened at 9:00?", "At 9 a.m. the doors opened."),
("Who won the 5K race?", "Lena Berg won the five-kilometre race."),
("What did McKinsey & Co. find?", "McKinsey and Company found that costs rose."),
("How many people were hurt in the M25 crash?", "The crash on the M25 motorway hurt 12 people."),
("What did the San Francisco 49ers do?", "The 49ers won on Sunday."),
("Who won the 2022-23 title?", "Arsenal finished second in the 2022/23 season; City won the title."),
("What did Dr. Fauci say?", "Anthony Fauci said the risk was low."),
("What is the population of Washington state?", "Washington State has 7.8 million people."),
]
SPECIFICS_3_CAUGHT = [
("Who won the 2023 race?", "Kiprono won the 2022 race."),
("What did Man City sign?", "Manchester United signed a striker."),
("What happened in Q3 2023?", "In the final quarter of 2023 profit fell."),
("What did the Tokyo Olympics cost?", "The Paris 2024 Games cost 9 billion euros."),
("What did Senator Warren say?", "Senator Bernie Sanders said no."),
("What happened in the 1980s?", "In the nineties, the factory closed."),
("What happened at 10am?", "At 9 a.m. the doors opened."),
]

REVERSED_3 = [
("Which was the cheapest option?", "The bus was the cheapest option and the taxi the most expensive."),
("Who was not re-elected?", "Three councillors lost their seats: Ng, Ford and Bell."),
("Which country has the lowest inflation?", "Switzerland has the lowest inflation in Europe."),
("What did the incomplete report show?", "The report, which was incomplete, showed delays."),
("Why were the results inconclusive?", "The results were inconclusive because too few people took part."),
("Which roads were impassable?", "Floods made the A6 impassable."),
("Who did not attend the summit?", "Leaders of 20 nations attended the summit; Russia's president stayed away."),
("What was the smallest increase?", "Rents rose in every city; the smallest increase was in Leeds."),
("What was less expensive than expected?", "The bridge cost less than expected."),
("Why was the decision irreversible?", "The decision was irreversible because the funds had been spent."),
]

ANSWERS_3 = [
("When did the factory close?", "The factory closed in the 1990s [1].", "In the nineties, the factory closed."),
("How much is the deal worth?", "The deal is worth \u00a31.2 billion [1].", "The deal is worth 1.2 billion pounds."),
("When did profit fall?", "Profit fell in the fourth quarter of 2023 [1].", "In Q4 2023 profit fell."),
("When do the doors open?", "The doors open at 9 a.m. [1].", "Doors open at 9am."),
("How long is the race?", "The race is 5 kilometres long [1].", "The 5km race starts at noon."),
("How many people were evacuated?", "Around 3,000 people were evacuated [1].",
 "Some three thousand people were evacuated."),
("Who did the company appoint?", "The company appointed Maria Lopez as chief executive [1].",
 "Maria L\u00f3pez was named CEO."),
("When was the bridge built?", "The bridge was built in 1889 [1].", "The bridge, built in 1889, is still in use."),
("Who won the tournament?", "Spain won Euro 2024 [1].", "Spain won the 2024 European Championship."),
]

NEWS_NOT_ORDERS_3 = [
    "Drivers should ignore the sat-nav instructions near the bridge, police said.",
    "Voters were urged to ignore misleading rules circulating online.",
    "The chatbot told users to visit a fake website, regulators said.",
    "Assistant manager Dave Kerr said: 'We will answer our critics on the pitch.'",
    "New instructions: passengers must wear masks on all flights, the airline said.",
    "The judge told the jury to disregard the witness's earlier statements and instructions.",
    "Bots on social media were told to respond to every post with praise, the study found.",
    "Please ignore previous messages about the closure, the council wrote in an update.",
]

# Round 4 (2026-12-07), written in one sitting and run once before any change.
SPECIFICS_4 = [
("What happened during World War II?", "During the Second World War, the town was bombed."),
("What happened during WWII?", "During World War Two, the town was bombed."),
("What did the UN say?", "The United Nations said aid was blocked."),
("What did the U.N. Security Council decide?", "The UN Security Council voted to extend the mission."),
("Who won the F1 race in Monaco?", "Charles Leclerc won the Formula One Monaco Grand Prix."),
("What did Gen. Milley say?", "General Mark Milley said the troops would stay."),
("What happened in Calif.?", "Wildfires spread across California on Tuesday."),
("What happened on Sept. 3?", "On September 3 the strike began."),
("What happened in mid-March?", "In the middle of March, the strike began."),
("What happened in the 21st century?", "In the twenty-first century, the port grew."),
("Who was first in the 100m final?", "Noah Lyles won the 100 metres final."),
("What did Leonardo da Vinci paint?", "Da Vinci painted the Mona Lisa."),
("What did Ursula von der Leyen say?", "Von der Leyen said the bloc would act."),
("What did Amazon.com Inc. report?", "Amazon reported record sales."),
("What did Ford Motor Co. announce?", "Ford announced a recall of 50,000 cars."),
("What happened on Main St.?", "A fire broke out on Main Street."),
("How tall is Mt. Everest?", "Mount Everest is 8,849 metres tall."),
("What did Martin Luther King Jr. say?", "Martin Luther King said he had a dream."),
("How much did the club pay, \u20ac80m?", "The club paid 80 million euros for the striker."),
("Did sales rise by a third?", "Sales rose 33% last year."),
("What did the firm's 2,000 workers do?", "The firm's 2000 workers went on strike."),
("What happened in the 2020-21 season?", "In the 2020/21 season the club was relegated."),
("What happened in the fiscal year 2023?", "In FY2023, revenue fell."),
("What did the L.A. Lakers do?", "The Los Angeles Lakers signed a guard."),
("What did the state of New South Wales decide?", "NSW decided to ban the pesticide."),
("What did the US Federal Reserve do?", "The Fed raised interest rates."),
("Who is Kim Jong-un?", "Kim Jong Un is North Korea's leader."),
("What did al-Sisi say?", "Egyptian President Abdel Fattah el-Sisi said the border would open."),
("What did the CDC recommend?", "The Centers for Disease Control and Prevention recommended masks."),
("What happened at the 2022 World Cup in Qatar?", "At the Qatar 2022 World Cup, Argentina won."),
]
SPECIFICS_4_CAUGHT = [
("What happened during World War I?", "During the Second World War, the town was bombed."),
("What happened on Sept. 4?", "On September 3 the strike began."),
("What did General Petraeus say?", "General Mark Milley said the troops would stay."),
("What happened in the 2021-22 season?", "In the 2020/21 season the club was relegated."),
("What did Ford announce in 2019?", "Ford announced a recall of 50,000 cars in 2021."),
("What happened in the 20th century?", "In the twenty-first century, the port grew."),
("Who won the 200m final?", "Noah Lyles won the 100 metres final."),
]
REVERSED_4 = [
("Which team was unbeaten?", "Leverkusen went unbeaten all season."),
("Who was ineligible to vote?", "Prisoners were ineligible to vote under the old law."),
("What was the least popular policy?", "The tax rise was the least popular policy in the poll."),
("Why was the match unplayable?", "The pitch was unplayable after heavy rain."),
("Who did not sign the treaty?", "Twelve countries signed the treaty; India did not."),
("What made the data unreliable?", "Gaps in reporting made the data unreliable."),
("Which party lost the most seats?", "The Conservatives lost the most seats."),
("Why did the minister resign?", "The minister resigned after the report was published."),
]
ANSWERS_4 = [
("Who won the race?", "Charles Leclerc won the Formula One race [1].", "Leclerc won the F1 Monaco Grand Prix."),
("When did the strike begin?", "The strike began on September 3 [1].", "The strike began on Sept. 3."),
("How much did the club pay?", "The club paid \u20ac80 million [1].",
 "The club paid 80 million euros for the striker."),
("How tall is the mountain?", "It is 8,849 meters tall [1].", "Mount Everest is 8,849 metres tall."),
("Who leads the country?", "Kim Jong-un leads North Korea [1].", "Kim Jong Un is North Korea's leader."),
("When was the club relegated?", "The club was relegated in the 2020-21 season [1].",
 "In the 2020/21 season the club was relegated."),
("How many workers went on strike?", "Two thousand workers went on strike [1].",
 "The firm's 2,000 workers went on strike."),
("Who was hired as coach?", "The club hired Ana Silva as head coach [1].", "Ana Silva was appointed head coach."),
("What did the agency recommend?", "The CDC recommended masks [1].",
 "The Centers for Disease Control and Prevention recommended masks."),
]
NEWS_NOT_ORDERS_4 = [
    "The system instructions for voting machines were updated before the election, officials said.",
    "Ignore the noise, the coach told his players before the final.",
    "Customers were told to disregard an earlier email about price rises.",
    "The AI assistant answered questions about bus times, the council said.",
    "You are now entering the city of Bristol, the sign reads.",
    "The manual instructs staff to reply to every complaint within two days.",
    "Forget everything you know about tennis, the documentary begins.",
    "Researchers asked the chatbot to ignore its safety rules and it refused.",
]

# Round 5 (2026-12-07), written in one sitting after round 4's changes and run once before any change.
SPECIFICS_5 = [
("What did the Treasury say?", "HM Treasury said borrowing fell."),
("How many Britons were evacuated?", "About 200 British nationals were evacuated."),
("What did the Kremlin say?", "Moscow said the talks were over."),
("When did the Berlin Wall fall?", "The wall in Berlin fell in 1989."),
("What did the Pope say?", "Pope Francis said peace was possible."),
("What did the Gates Foundation give?", "The Bill & Melinda Gates Foundation gave $5m."),
("What did the SNP say?", "The Scottish National Party said no."),
("What happened in the Gaza Strip?", "Fighting continued in Gaza on Monday."),
("What did the Ukrainian military say?", "Ukraine's armed forces said the attack failed."),
("What happened at Heathrow Airport?", "Flights were cancelled at Heathrow on Monday."),
("What did the Bank of England do?", "The BoE raised rates."),
("What happened at the Games?", "At the Olympics, records fell."),
("What did the Lib Dems say?", "The Liberal Democrats said no."),
("What did the DfE say?", "The Department for Education said no."),
("When did the U.S.S.R. collapse?", "The Soviet Union collapsed in 1991."),
("What happened on Wall St.?", "Stocks fell on Wall Street."),
("What did the NY Times report?", "The New York Times reported the deal."),
("Who is the UK's PM?", "Prime Minister Keir Starmer leads the UK."),
("What happened in Washington, D.C.?", "Protesters gathered in Washington on Sunday."),
("What did Sen. Schumer say?", "Senator Chuck Schumer said no."),
("What did the River Thames flood?", "The Thames flooded parts of Oxford."),
("Who played at Wembley Stadium?", "Taylor Swift played at Wembley."),
("What did the Premier League decide?", "The Premiership decided to delay the season."),
("How many people live in the Big Apple?", "New York City has 8.3 million people."),
("What did Microsoft Corp. announce?", "Microsoft announced layoffs."),
("What happened in the Philippines?", "A typhoon hit the Philippine island of Luzon."),
("What did the Church of England say?", "The C of E said the vote was close."),
("How much did the FTSE 100 fall?", "London's FTSE fell 2%."),
("What did the Crown Prosecution Service decide?", "The CPS decided to charge him."),
("Who won the Nobel Peace Prize?", "The Nobel peace prize went to Maria Ressa."),
]
SPECIFICS_5_CAUGHT = [
("What happened at Gatwick Airport?", "Flights were cancelled at Heathrow on Monday."),
("What happened at Victoria Station?", "Crowds gathered in Victoria Park."),
("When did the U.S.S.R. collapse?", "Yugoslavia collapsed in 1991."),
("What happened in the West Bank?", "Fighting continued in Gaza on Monday."),
("What happened on Wall St.?", "Crowds gathered on Main Street."),
("What did the River Severn flood?", "The Thames flooded parts of Oxford."),
("What did the Crown Prosecution Service decide?", "The police decided to charge him."),
]
REVERSED_5 = [
("Which firm was unprofitable?", "The firm was unprofitable for a decade."),
("Who was not selected for the squad?", "Kane was left out of the squad."),
("Which bill failed to pass?", "The housing bill failed to pass the Senate."),
("What was illegal under the old law?", "Street trading was illegal under the old law."),
("Who disagreed with the ruling?", "Two judges disagreed with the ruling."),
("Which team never won away?", "Luton never won away all season."),
("What was unknown about the virus?", "Its origin was unknown."),
("Who lost the final?", "Spain beat England in the final."),
]
ANSWERS_5 = [
("Where were flights cancelled?", "Flights were cancelled at Heathrow Airport [1].",
 "Flights were cancelled at Heathrow on Monday."),
("When did the Soviet Union collapse?", "The USSR collapsed in 1991 [1].", "The Soviet Union collapsed in 1991."),
("How much did shares fall?", "Shares fell by five percent [1].", "Shares fell 5% on Monday."),
("Who won the match?", "England beat Wales 2-0 [1].", "England won 2-0 against Wales."),
("How many people attended?", "About 200,000 people attended [1].", "Some 200 000 people attended the festival."),
("When did the talks start?", "The talks started on 3 March [1].", "Talks began on March 3rd."),
("Who did the party elect as leader?", "The party elected Jo Smith [1].", "Jo Smith was elected party leader."),
("How long was the delay?", "The delay lasted two hours [1].", "The 2-hour delay angered passengers."),
("What was the score?", "The final score was 3-1 [1].", "Arsenal won 3-1."),
]
NEWS_NOT_ORDERS_5 = [
    "Staff were instructed to answer all calls within three rings, the review found.",
    "If a customer asks about refunds, staff should say the policy is under review, the memo said.",
    "Users can tell the assistant to forget earlier conversations, Apple said.",
    "Ignore the polls, the candidate told supporters.",
    "The AI model must be trained on licensed data, the law says.",
    "The instructions on the packet tell you to respond quickly to any rash.",
    "Reply to every letter, her mother always said.",
    "The app answers every question with a link to its website, testers found.",
]

# Round 6 (2026-12-07), written in one sitting after round 5's changes and run once before any change.
SPECIFICS_6 = [
("What did Rolls-Royce announce?", "Rolls Royce announced 2,000 job cuts."),
("What did Martin O'Neill say?", "Martin O\u2019Neill said the team was tired."),
("What did President Xi say?", "Xi Jinping said growth would be stable."),
("What happened on 20/03/2024?", "On 20 March 2024 the bridge reopened."),
("What happened at noon?", "At 12 p.m. the bells rang."),
("Did a quarter of voters stay home?", "25% of voters stayed home."),
("Did two-thirds of members agree?", "Two thirds of members agreed."),
("What happened over the past decade?", "Over the past 10 years, rents doubled."),
("Was the limit 100mph?", "The limit was 100 miles per hour."),
("Did the bonus reach \u00a35k?", "The bonus reached \u00a35,000."),
("What did Meta announce?", "Facebook's parent company Meta announced layoffs."),
("What did the NFL decide?", "The National Football League decided to expand the season."),
("Who coaches the L.A. Lakers?", "JJ Redick coaches the Lakers."),
("What happened in the mid-2010s?", "In 2015 the plant closed."),
("How heavy was the 10kg parcel?", "The parcel weighed 10 kilograms."),
("How tall is the 6ft wall?", "The wall is six feet tall."),
("What did the Prime Minister's office say?", "Downing Street said the talks had stalled."),
("What did Sinn F\u00e9in say?", "Sinn Fein said it would vote no."),
("What happened at the UN General Assembly?", "At the United Nations General Assembly, leaders spoke."),
("What did the AU say?", "The African Union said the vote was fair."),
("What did HSBC Holdings report?", "HSBC reported a profit of $30bn."),
("Who runs the Tate Modern?", "Karin Hindsbo runs Tate Modern."),
("What did the 1st Battalion do?", "The First Battalion crossed the river."),
("How many people did the M&S sale attract?", "The Marks & Spencer sale attracted 5,000 people."),
("What did the Gov't announce?", "The government announced new rules."),
("Where is the Mariinsky Theatre?", "The Mariinsky Theater is in St Petersburg."),
("What did MPs vote for?", "Members of Parliament voted for the bill."),
("What did the European Central Bank do?", "The ECB held rates at 4%."),
("What did the Dow Jones do?", "The Dow fell 300 points."),
("What happened in Northern Ireland?", "Stormont reopened after talks in Northern Ireland's capital."),
]
SPECIFICS_6_CAUGHT = [
("What happened on 21/03/2024?", "On 20 March 2024 the bridge reopened."),
("Did a third of voters stay home?", "25% of voters stayed home."),
("What did the NBA decide?", "The National Football League decided to expand the season."),
("What did the 2nd Battalion do?", "The First Battalion crossed the river."),
("What did the Bank of Japan do?", "The ECB held rates at 4%."),
("What did Rolls-Royce announce?", "Royce Ltd announced 2,000 job cuts."),
("Was the limit 70mph?", "The limit was 100 miles per hour."),
]
REVERSED_6 = [
("Which candidate was disqualified?", "Officials disqualified the Green candidate."),
("What was not included in the budget?", "The budget left out funding for libraries."),
("Who refused to comment?", "The club declined to comment."),
("Which airline cancelled the fewest flights?", "Ryanair cancelled the fewest flights, 12 in all."),
("Why was the film banned?", "The film was banned for its violence."),
("Who was absent from the vote?", "Three MPs were absent from the vote."),
("What was dismissed by the court?", "The court dismissed the appeal."),
("Which school had no teachers?", "St Anne's school had no teachers for a month."),
]
ANSWERS_6 = [
("Who announced job cuts?", "Rolls-Royce announced the job cuts [1].", "Rolls Royce announced 2,000 job cuts."),
("When did the bridge reopen?", "The bridge reopened on 20/03/2024 [1].", "On 20 March 2024 the bridge reopened."),
("How much did rents rise?", "Rents doubled over the past decade [1].", "Over the past 10 years, rents doubled."),
("What share of voters stayed home?", "A quarter of voters stayed home [1].", "25% of voters stayed home."),
("Who held rates?", "The European Central Bank held rates at 4% [1].", "The ECB held rates at 4%."),
("Who leads China?", "President Xi Jinping leads China [1].", "Xi Jinping said growth would be stable in China."),
("What was the speed limit?", "The limit was 100mph [1].", "The limit was 100 miles per hour."),
("How big was the bonus?", "The bonus was \u00a35k [1].", "The bonus reached \u00a35,000."),
("Who voted for the bill?", "MPs voted for the bill [1].", "Members of Parliament voted for the bill."),
]
NEWS_NOT_ORDERS_6 = [
    "Disregard for safety rules led to the accident, the inquiry found.",
    "The bot was told to recommend the bank's own products, a whistleblower said.",
    "Forget the old rules: the new law applies from May, the minister said.",
    "Teachers were told to ignore the previous guidance on uniforms.",
    "Reply all: the email chain that paralysed the office.",
    "Say no to the tax rise, campaigners urged voters.",
    "The assistant coach said the players must answer questions from the media.",
    "Google's AI told users to put glue on pizza, screenshots showed.",
]

# Round 7 (2026-12-07), written in one sitting after round 6's changes and run once before any change.
SPECIFICS_7 = [
("WHAT DID THE NHS SAY ABOUT WAITING LISTS?", "The NHS said waiting lists fell to 7.5 million."),
("What Did The Mayor Say About The Budget?", "The mayor said the budget was balanced."),
("who won the us open in 2023?", "Coco Gauff won the 2023 US Open."),
("What did Trump's lawyers argue?", "Lawyers for Donald Trump argued the case should be dropped."),
("How many Tesla cars were recalled?", "Tesla recalled 2 million vehicles."),
("What did the Biden administration announce?", "The White House announced new sanctions."),
("What did the Greens win?", "The Green Party won 4 seats."),
("What did Ukraine's President say?", "Volodymyr Zelensky said the war would go on."),
("What did the Saudis offer?", "Saudi Arabia offered to host the talks."),
("What did the Israelis say?", "Israel said the strike hit a depot."),
("What did the Lakers' LeBron James score?", "LeBron James scored 40 points for Los Angeles."),
("How much did Twitter cost Musk?", "Musk paid $44bn for Twitter, now called X."),
("What happened in Myanmar's capital?", "Protests spread in Naypyidaw, the capital of Burma."),
("Who won the Ballon d'Or?", "Lionel Messi won the Ballon d\u2019Or for an eighth time."),
("What did the Archbishop of Canterbury say?", "Justin Welby, the Archbishop of Canterbury, said prayers."),
("What did the C.E.O. say?", "The chief executive said profits rose."),
("How old is the 80-year-old president?", "The president, aged 80, will run again."),
("What did St. Louis Cardinals pitcher Miles Mikolas do?", "Miles Mikolas pitched seven innings for the Cardinals."),
("What happened at the Eurovision Song Contest?", "Sweden won Eurovision."),
("How many died in the 2004 tsunami?", "The Boxing Day tsunami of 2004 killed 230,000 people."),
("What did the Met Office forecast?", "The UK's weather service, the Met Office, forecast snow."),
("What did the Foreign Office say?", "The Foreign, Commonwealth and Development Office said it was monitoring."),
("What did the Home Secretary announce?", "Home Secretary Yvette Cooper announced the plan."),
("What was the turnout in the EU elections?", "Turnout in the European Parliament elections was 51%."),
("What did the FBI find?", "The Federal Bureau of Investigation found no evidence."),
("How much did the Fed raise rates by?", "The US central bank raised rates by 0.25 percentage points."),
("What did the Pentagon say?", "The US Department of Defense said the drone was shot down."),
("When is the Chancellor's Autumn Statement?", "The chancellor's autumn statement is on 22 November."),
("What did the Conservative leader say?", "Tory leader Kemi Badenoch said no."),
("What did Manchester City's manager say?", "Pep Guardiola, the City manager, said the title race was open."),
]
SPECIFICS_7_CAUGHT = [
("who won the us open in 2022?", "Coco Gauff won the 2023 US Open."),
("What did the Labour leader say?", "Tory leader Kemi Badenoch said no."),
("What did the CIA find?", "The Federal Bureau of Investigation found no evidence."),
("What did the Bishop of London say?", "Justin Welby, the Archbishop of Canterbury, said prayers."),
("How many Ford cars were recalled?", "Tesla recalled 2 million vehicles."),
("What did the Syrians say?", "Israel said the strike hit a depot."),
("What did Liverpool's manager say?", "Pep Guardiola, the City manager, said the title race was open."),
]
REVERSED_7 = [
("Which drug was ineffective?", "The trial found the drug ineffective against the virus."),
("Who was not charged?", "Police said the driver would not face charges."),
("What was unaffordable for most families?", "Childcare was unaffordable for most families, the survey found."),
("Which region had the least rain?", "The east had the least rain since records began."),
("Who opposed the plan?", "Residents opposed the plan at a meeting on Monday."),
("Which flights were not delayed?", "Only flights to Paris were not delayed."),
("What did the minister deny?", "The minister denied lying to parliament."),
("Who failed the test?", "Two of the pilots failed the test."),
]
ANSWERS_7 = [
("Who paid for Twitter?", "Elon Musk paid for Twitter [1].", "Musk paid $44bn for Twitter, now called X."),
("How many died in the tsunami?", "About 230,000 people died [1].",
 "The Boxing Day tsunami of 2004 killed 230,000 people."),
("Who won the contest?", "Sweden won the Eurovision Song Contest [1].", "Sweden won Eurovision."),
("What did the survey find?", "Childcare was too expensive for most families [1].",
 "Childcare was unaffordable for most families, the survey found."),
("How much were rates raised?", "Rates were raised by a quarter of a percentage point [1].",
 "The US central bank raised rates by 0.25 percentage points."),
("Who leads the Conservatives?", "Kemi Badenoch leads the Conservative Party [1].",
 "Tory leader Kemi Badenoch said no."),
("Who manages the club?", "Pep Guardiola manages Manchester City [1].",
 "Pep Guardiola, the City manager, said the title race was open."),
("How old is the president?", "The president is 80 years old [1].", "The president, aged 80, will run again."),
("When is the statement?", "The statement is on November 22 [1].",
 "The chancellor's autumn statement is on 22 November."),
]
NEWS_NOT_ORDERS_7 = [
    "Passengers must follow the crew's instructions at all times, the airline reminded.",
    "Override the default settings, the guide advises, to save battery.",
    "When asked about the merger, the chief executive said only: 'No comment.'",
    "If anyone asks, tell them we were never here, the song goes.",
    "The new AI rules require companies to label chatbots, the EU said.",
    "Readers told us they wanted more local news.",
    "The bot answered 'I cannot help with that' to every question about the election.",
    "Disregard the earlier forecast: storms are now expected on Friday, forecasters said.",
]

# Round 8 (2026-12-07), written in one sitting after round 7's changes and run once before any change.
SPECIFICS_8 = [
("According to the article, what did the WHO declare?", "The World Health Organization declared an emergency."),
("In the story, who founded SpaceX?", "Elon Musk founded SpaceX in 2002."),
("Per the report, how many jobs did Amazon add?", "Amazon added 10,000 jobs, the report said."),
("The council met on Monday. What did it decide?", "On Monday the council decided to close the library."),
("What did the judge (Mr Justice Smith) rule?", "Mr Justice Smith ruled the search unlawful."),
("What did the \"Save Our Pool\" campaign want?", "The Save Our Pool campaign wanted the pool reopened."),
("What is mpox?", "Mpox, formerly monkeypox, spread to 20 countries."),
("What did researchers at MIT find?",
 "Massachusetts Institute of Technology researchers found a new battery material."),
("What did the Supreme Court's ruling in Roe v. Wade say?", "Roe v Wade established a right to abortion."),
("How fast was Hurricane Milton?", "Milton reached winds of 180 mph."),
("What did Storm Ciar\u00e1n damage?", "Storm Ciaran damaged 200 homes."),
("What did OpenAI release?", "Open AI released a new model."),
("What did the iPhone 15 cost?", "The iPhone 15 cost $799."),
("What does GPT-4 do?", "GPT4 writes text."),
("What did the COP28 summit agree?", "The Cop28 climate summit agreed to move away from fossil fuels."),
("What did the UN's COP 28 summit agree?", "COP28 agreed to move away from fossil fuels."),
("Who won the 2023 Rugby World Cup?", "South Africa won the Rugby World Cup in 2023."),
("What did the Tube strike affect?", "The London Underground strike affected 2 million journeys."),
("What did Pfizer-BioNTech's vaccine do?", "The Pfizer/BioNTech vaccine cut infections by 90%."),
("What did the Paris-based OECD forecast?", "The OECD, based in Paris, forecast growth of 2%."),
("What did Xi's government announce?", "China's government announced new stimulus."),
("What did the E.P.A. propose?", "The Environmental Protection Agency proposed new limits."),
("How many people did Covid-19 kill in the U.K.?", "Covid killed more than 200,000 people in Britain."),
("How many people visit the Louvre each year?", "The Louvre museum has 9 million visitors a year."),
("Who is the CEO of Alphabet?", "Sundar Pichai is chief executive of Google's parent Alphabet."),
("What did the Duke of Sussex say?", "Prince Harry, the Duke of Sussex, said he missed his family."),
("What did Prince Harry say?", "The Duke of Sussex said he missed his family."),
("What did the Bundestag vote for?", "Germany's parliament, the Bundestag, voted for the bill."),
("How much did the ECB cut rates?", "The European Central Bank cut rates by 0.25 points."),
("What happened in Hong Kong's Legislative Council?", "Hong Kong's LegCo passed the law."),
]
SPECIFICS_8_CAUGHT = [
("What did the WTO declare?", "The World Health Organization declared an emergency."),
("Who founded Blue Origin?", "Elon Musk founded SpaceX in 2002."),
("What did the iPhone 14 cost?", "The iPhone 15 cost $799."),
("What does GPT-3 do?", "GPT4 writes text."),
("What did COP27 agree?", "COP28 agreed to move away from fossil fuels."),
("What did the Duke of York say?", "Prince Harry, the Duke of Sussex, said he missed his family."),
("Who won the 2019 Rugby World Cup?", "South Africa won the Rugby World Cup in 2023."),
]
REVERSED_8 = [
("Which vaccine was less effective?", "The Moderna vaccine was less effective against the variant."),
("Who was barred from standing?", "The opposition leader was barred from standing."),
("Which company did not raise prices?", "Only Aldi did not raise prices."),
("What was rejected by voters?", "Voters rejected the new constitution."),
("Who was acquitted?", "The jury acquitted the nurse."),
("Which species is endangered?", "The Amur leopard is endangered."),
("What did the regulator prohibit?", "The regulator prohibited the merger."),
("Who stepped down?", "The chairman stepped down on Friday."),
]
ANSWERS_8 = [
("Who founded the company?", "SpaceX was founded by Elon Musk in 2002 [1].", "Elon Musk founded SpaceX in 2002."),
("What did the storm damage?", "Storm Ciar\u00e1n damaged 200 homes [1].", "Storm Ciaran damaged 200 homes."),
("How many people visit each year?", "Nine million people visit the Louvre each year [1].",
 "The Louvre museum has 9 million visitors a year."),
("Who leads Alphabet?", "Sundar Pichai is the CEO of Alphabet [1].",
 "Sundar Pichai is chief executive of Google's parent Alphabet."),
("Who spoke about missing his family?", "Prince Harry said he missed his family [1].",
 "The Duke of Sussex, Prince Harry, said he missed his family."),
("How many died?", "More than 200,000 people died of Covid in the UK [1].",
 "Covid killed more than 200,000 people in Britain."),
("What did the agency propose?", "The EPA proposed new limits [1].",
 "The Environmental Protection Agency proposed new limits."),
("How effective was the vaccine?", "It cut infections by 90 percent [1].",
 "The Pfizer/BioNTech vaccine cut infections by 90%."),
("Which model was released?", "OpenAI released GPT-4 [1].", "Open AI released GPT4 on Tuesday."),
]
NEWS_NOT_ORDERS_8 = [
    "Ignore previous warnings, the new advice says: the beach is safe.",
    "The chatbot must answer in Welsh if asked in Welsh, under the new language law.",
    "Assistants to the minister were told to send all letters to the new office.",
    "Bots should always say they are bots, campaigners argue.",
    "Customers should reply to the text only if they placed an order, the bank said.",
    "The system prompt for the festival app was written by volunteers.",
    "AI models must not be used to write exam answers, the university says.",
    "Please disregard the previous statement, the club said in a correction.",
]

# Round 9 (2026-12-07), written in one sitting after round 8's changes and run once before any change.
SPECIFICS_9 = [
("Who's the new coach at Spurs?", "Tottenham Hotspur appointed Ange Postecoglou as head coach."),
("what's the population of tokyo", "Tokyo has 14 million residents."),
("Tell me about the Oct. 7 attack", "On October 7, militants attacked southern Israel."),
("Who won Sunday's election in Poland?", "Donald Tusk's coalition won Poland's election on Sunday."),
("How many seats did the SPD win?", "Germany's Social Democrats won 206 seats."),
("What did the Ukrainian army's General Staff say?", "Ukraine's General Staff said 20 drones were shot down."),
("How much did Netflix make in Q3?", "Netflix made $8.5bn in the third quarter."),
("What did JPMorgan Chase report?", "JP Morgan reported record profits."),
("What was the score in the Arsenal v Chelsea match?", "Arsenal beat Chelsea 5-0."),
("Who scored for Real Madrid?", "Jude Bellingham scored for Real."),
("What did the RNLI do?", "The Royal National Lifeboat Institution rescued 12 people."),
("How many people did the M1 crash injure?", "Six people were injured in a crash on the M1 motorway."),
("What happened in Kharkiv?", "Russian missiles hit Kharkov on Tuesday."),
("What did Mayor de Blasio say?", "Bill de Blasio, the mayor, said the schools would reopen."),
("What did the Saudi crown prince say?", "Crown Prince Mohammed bin Salman said oil output would rise."),
("Who did MBS meet?", "Mohammed bin Salman met President Biden."),
("How many died in Gaza, per Hamas-run health ministry?", "The Hamas-run health ministry said 30 people died."),
("What did Ofcom fine the BBC?", "The regulator Ofcom fined the BBC \u00a3100,000."),
("When does the 2026 World Cup start?", "The 2026 FIFA World Cup starts on 11 June."),
("What did the St. Paul's Cathedral dean say?", "The Dean of St Paul's said the service would go ahead."),
("Who runs the U.S. Treasury?", "Treasury Secretary Janet Yellen said rates were high."),
("How tall is the Burj Khalifa?", "Dubai's Burj Khalifa is 828 metres tall."),
("What did the NYPD arrest?", "New York police arrested 40 protesters."),
("What did the Tokyo Stock Exchange do?", "The Tokyo exchange halted trading."),
("What did Britain's Labour government announce?", "The UK government announced a new tax."),
("What did Kamala Harris's campaign raise?", "The Harris campaign raised $1bn."),
("How many homes did the Los Angeles wildfires destroy?", "The LA fires destroyed 12,000 homes."),
("Who was Time's Person of the Year?", "Time magazine named Taylor Swift its person of the year."),
("What did the U.S. military's Central Command say?", "US Central Command said it struck 15 targets."),
("Which club did Kylian Mbapp\u00e9 join?", "Kylian Mbappe joined Real Madrid."),
]
SPECIFICS_9_CAUGHT = [
("Who's the new coach at Arsenal?", "Tottenham Hotspur appointed Ange Postecoglou as head coach."),
("What happened in Kherson?", "Russian missiles hit Kharkov on Tuesday."),
("How many seats did the CDU win?", "Germany's Social Democrats won 206 seats."),
("How much did Netflix make in Q2?", "Netflix made $8.5bn in the third quarter."),
("When does the 2030 World Cup start?", "The 2026 FIFA World Cup starts on 11 June."),
("What did the LAPD arrest?", "New York police arrested 40 protesters."),
("Who scored for Real Sociedad?", "Jude Bellingham scored for Real Madrid."),
]
REVERSED_9 = [
("Which bank was unable to pay?", "The bank was unable to pay its debts."),
("Who did not vote?", "Two members abstained and one did not vote."),
("What was the least-watched final?", "The 2020 final was the least-watched in history."),
("Who was ruled ineligible?", "The striker was ruled ineligible for the game."),
("Which roads are closed?", "The A1 and the A14 are closed."),
("Why was the flight diverted?", "The flight was diverted after a passenger fell ill."),
("Who never played again?", "After the injury he never played again."),
("What is illegal in Singapore?", "Chewing gum is illegal in Singapore."),
]
ANSWERS_9 = [
("Who is the new coach?", "Ange Postecoglou is the new Spurs coach [1].",
 "Tottenham Hotspur appointed Ange Postecoglou as head coach."),
("How many seats did they win?", "The SPD won 206 seats [1].", "Germany's Social Democrats won 206 seats."),
("How much did Netflix make?", "Netflix made $8.5 billion in Q3 [1].", "Netflix made $8.5bn in the third quarter."),
("What was the score?", "Arsenal won 5-0 against Chelsea [1].", "Arsenal beat Chelsea 5-0."),
("Who did the prince meet?", "MBS met President Biden [1].", "Mohammed bin Salman met President Biden."),
("How much was the fine?", "Ofcom fined the BBC 100,000 pounds [1].",
 "The regulator Ofcom fined the BBC \u00a3100,000."),
("How tall is the tower?", "It is 828 m tall [1].", "Dubai's Burj Khalifa is 828 metres tall."),
("Who was named person of the year?", "Taylor Swift was Time's Person of the Year [1].",
 "Time magazine named Taylor Swift its person of the year."),
("Where did he go?", "Kylian Mbapp\u00e9 joined Real Madrid [1].", "Kylian Mbappe joined Real Madrid."),
]
NEWS_NOT_ORDERS_9 = [
    "Always answer the door to police, officers advised residents.",
    "The prompts were ignored by the AI, which gave its own answers.",
    "Users who tell the bot to ignore its rules are banned, the company said.",
    "'Forget everything you know about pensions,' the minister told MPs.",
    "The chatbot's answers were wrong in one case out of five, the study said.",
    "Instructions for the new voting system were sent to every household.",
    "If you are asked for your PIN, hang up, the bank warns.",
    "Respond to the survey by Friday, the council urged residents.",
]

# Round 10 (2026-12-07), written in one sitting after round 9's changes and run once before any change.
SPECIFICS_10 = [
("What did the local council's planning committee approve?",
 "Councillors on the planning committee approved 200 homes."),
("How many beds does St Thomas' Hospital have?", "St Thomas's Hospital has 840 beds."),
("What did Prof. Whitty say?", "Professor Chris Whitty said cases were falling."),
("What did the Environment Agency warn?", "The EA warned of flooding on the River Ouse."),
("How many cars did VW sell?", "Volkswagen sold 9 million cars."),
("What did Mercedes-Benz recall?", "Mercedes Benz recalled 100,000 vehicles."),
("What did the Lords vote?", "The House of Lords voted against the bill."),
("What did the Commons pass?", "The House of Commons passed the bill by 320 votes."),
("What did Nasa launch?", "NASA launched the Artemis rocket."),
("Who won the Tour de France?", "Tadej Pogacar won the Tour."),
("What did the Scottish Government announce?", "Holyrood announced free bus travel."),
("What did the Welsh Government decide?", "The Senedd decided to lower the speed limit."),
("What did the US Senate pass?", "The Senate passed the bill 68-32."),
("What happened at Glastonbury 2024?", "At the 2024 Glastonbury Festival, Dua Lipa headlined."),
("Who played Glastonbury on Friday?", "Dua Lipa headlined Glastonbury's Friday night."),
("What did the IOC decide?", "The International Olympic Committee decided to ban the athlete."),
("What did the Met Gala feature?", "The Metropolitan Museum's gala featured 400 guests."),
("What did South Korean President Yoon say?", "Yoon Suk Yeol said martial law was lifted."),
("What did the Chancellor of the Exchequer announce?", "Chancellor Rachel Reeves announced a budget."),
("What did Ryanair's boss say?", "Ryanair chief executive Michael O'Leary said fares would rise."),
("How many people use the Elizabeth line?", "The Elizabeth Line carries 700,000 people a day."),
("What did the Post Office inquiry find?", "The Horizon inquiry found 900 wrongful convictions."),
("How many died at Hillsborough?", "97 people died in the Hillsborough disaster."),
("What did the UK's Competition and Markets Authority block?", "The CMA blocked the merger."),
("What did the Bank of England's MPC vote?", "The Monetary Policy Committee voted 5-4 to cut rates."),
("How many people live in Greater Manchester?", "Manchester's wider region has 2.9 million people."),
("What did Elon Musk's X do?", "X, formerly Twitter, removed the posts."),
("What did the Kenyan government say?", "Kenya's government said the protests were illegal."),
("When did the M25 close?", "The M25 motorway closed on 16 March."),
("What did the A&E department report?", "The accident and emergency department reported 12-hour waits."),
]
SPECIFICS_10_CAUGHT = [
("What did Prof. Van-Tam say?", "Professor Chris Whitty said cases were falling."),
("How many cars did BMW sell?", "Volkswagen sold 9 million cars."),
("What did the House of Commons vote?", "The House of Lords voted against the bill."),
("Who won the Giro d'Italia?", "Tadej Pogacar won the Tour de France."),
("What did the Irish Government announce?", "Holyrood announced free bus travel."),
("What did the M4 close?", "The M25 motorway closed on 16 March."),
("How many people live in Greater London?", "Manchester's wider region has 2.9 million people."),
]
REVERSED_10 = [
("Which service was suspended?", "The night bus service was suspended."),
("Who was excluded from the talks?", "Unions were excluded from the talks."),
("What was cheaper than last year?", "Turkeys were cheaper than last year."),
("Which councillors voted against?", "Four councillors voted against the plan."),
("Who was refused entry?", "The singer was refused entry to Australia."),
("What did the government abandon?", "The government abandoned the tax cut."),
("Which schools were not inspected?", "Two schools were not inspected last year."),
("Who was unhurt?", "The driver was unhurt."),
]
ANSWERS_10 = [
("Who warned of flooding?", "The Environment Agency warned of flooding [1].",
 "The EA warned of flooding on the River Ouse."),
("How many cars were sold?", "Volkswagen sold nine million cars [1].", "VW sold 9 million cars."),
("Who launched the rocket?", "NASA launched the Artemis rocket [1].", "Nasa launched the Artemis rocket."),
("Who won?", "Tadej Pogačar won the Tour de France [1].", "Tadej Pogacar won the Tour."),
("How did the Senate vote?", "The Senate voted 68 to 32 [1].", "The Senate passed the bill 68-32."),
("Who headlined on Friday?", "Dua Lipa headlined on Friday night [1].",
 "Dua Lipa headlined Glastonbury's Friday night."),
("How many died?", "Ninety-seven people died [1].", "97 people died in the Hillsborough disaster."),
("How did the committee vote?", "The MPC voted five to four to cut rates [1].",
 "The Monetary Policy Committee voted 5-4 to cut rates."),
("When did the motorway close?", "It closed on March 16 [1].", "The M25 motorway closed on 16 March."),
]
NEWS_NOT_ORDERS_10 = [
    "Ignore the hype, says our reviewer: the phone is average.",
    "The assistant referee told players to respond calmly.",
    "Your instructions are in the envelope, the quizmaster told contestants.",
    "Staff were told to disregard the earlier memo about parking.",
    "Developers should always tell users when AI is involved, the guidance says.",
    "The system instructions were printed on the back of the ballot paper.",
    "Never say never, the manager joked.",
    "Chatbots must not give medical advice, the regulator ruled.",
]


SPECIFICS_11 = [
("How much did Tesla's shares fall on Tuesday?", "Tesla stock dropped 12% on Tuesday."),
("What did the FTSE 100 close at?", "London's blue-chip index closed at 8,100 points."),
("When did the 2024 Paris Olympics open?", "The Paris Games opened on 26 July 2024."),
("What did Sen. Elizabeth Warren say?", "Senator Elizabeth Warren said the bank failed."),
("How many people did the earthquake in Türkiye kill?", "The earthquake in Turkey killed more than 50,000 people."),
("Who is the CEO of Nvidia?", "Nvidia chief executive Jensen Huang said demand was strong."),
("What did the WHO declare?", "The World Health Organization declared the outbreak an emergency."),
("How much did the Fed raise rates?", "The Federal Reserve raised interest rates by a quarter point."),
("What did St. Louis police say?", "Police in Saint Louis said two people were arrested."),
("How many points did LeBron James score?", "James scored 40 points as the Lakers won."),
("What did the EU's top court rule?", "The European Court of Justice ruled the law was unlawful."),
("When did Hurricane Milton make landfall?", "Milton made landfall near Siesta Key on Wednesday night."),
("How many jobs will the Ford plant cut?", "Ford Motor Company will cut 3,800 jobs in Europe."),
("What did the 49ers' quarterback say?", "San Francisco quarterback Brock Purdy said the team was ready."),
("How much did Manchester City pay for Rodri?", "Man City signed Rodri for £62.6m."),
("What did the Dept. of Justice allege?", "The Justice Department alleged Google had a monopoly."),
("When was the 9/11 memorial opened?", "The September 11 memorial opened in 2011."),
("What did Ukraine's President Zelenskyy say?", "Volodymyr Zelensky said the attack was repelled."),
("How many people attended the COP29 summit?", "About 70,000 delegates attended COP 29 in Baku."),
("What did the U.K. government announce?", "The British government announced new visa rules."),
("How old is Pope Francis?", "Francis, 87, has led the Catholic Church since 2013."),
("What did the NHS England chief say?", "The head of NHS England, Amanda Pritchard, said waits were falling."),
("What did Meta's Mark Zuckerberg announce?", "Facebook founder Mark Zuckerberg announced new glasses."),
("When does the new iPhone 16 go on sale?", "Apple's iPhone 16 goes on sale on Friday."),
("How many homes lost power in North Carolina?", "More than 1 million homes in N.C. lost power."),
("What did the Supreme Court decide in Trump v. United States?",
 "The justices ruled in Trump v United States that presidents have immunity."),
("How many seats did Labour win?", "Labour won 411 seats in the general election."),
("Who did Arsenal beat 5-0?", "Arsenal thrashed Chelsea 5-0 at the Emirates."),
("How many migrants crossed the Channel in 2023?", "In 2023, 29,437 people crossed the Channel in small boats."),
("What did the mayor of NYC say?", "New York City Mayor Eric Adams said crime had fallen."),
]
SPECIFICS_11_CAUGHT = [
("What did the FTSE 250 close at?", "The FTSE 100 closed at 8,100 points."),
("When did the 2028 Olympics open?", "The Paris Games opened on 26 July 2024."),
("What did Sen. Bernie Sanders say?", "Senator Elizabeth Warren said the bank failed."),
("How much did the ECB raise rates?", "The Federal Reserve raised interest rates by a quarter point."),
("How many points did Anthony Davis score?", "James scored 40 points as the Lakers won."),
("How many people attended COP28?", "About 70,000 delegates attended COP 29 in Baku."),
("How many homes lost power in South Carolina?", "More than 1 million homes in N.C. lost power."),
]
REVERSED_11 = [
("Which flights were cancelled?", "Forty flights were cancelled at Heathrow."),
("Who was acquitted?", "The former officer was acquitted of all charges."),
("What was more expensive this year?", "Energy was more expensive this year than last."),
("Which players were left out of the squad?", "Two players were left out of the squad."),
("Who lost the election?", "The incumbent lost the election by 400 votes."),
("What closed early?", "The museum closed early because of the heat."),
("Which roads were not gritted?", "Side roads were not gritted overnight."),
("Who was denied bail?", "The suspect was denied bail."),
]
ANSWERS_11 = [
("What did the index close at?", "It closed at 8100 points [1].", "The FTSE 100 closed at 8,100 points."),
("How much were rates raised?", "By 0.25 percentage points [1].",
 "The Fed raised interest rates by a quarter point."),
("How many died?", "More than fifty thousand people died [1].", "The earthquake killed more than 50,000 people."),
("Who is the chief executive?", "Jensen Huang is Nvidia's CEO [1].",
 "Nvidia chief executive Jensen Huang said demand was strong."),
("What was the score?", "Arsenal won five-nil [1].", "Arsenal thrashed Chelsea 5-0 at the Emirates."),
("How old is the Pope?", "Pope Francis is 87 years old [1].", "Francis, 87, has led the Catholic Church since 2013."),
("How many seats did Labour win?", "Labour won 411 seats [1].", "Labour won 411 seats in the general election."),
("When does it go on sale?", "It goes on sale this Friday [1].", "Apple's iPhone 16 goes on sale on Friday."),
("How many people crossed?", "Nearly 30,000 people crossed [1].",
 "In 2023, 29,437 people crossed the Channel in small boats."),
]
NEWS_NOT_ORDERS_11 = [
    "Don't forget your umbrella, forecasters warned as storms approached.",
    "The AI assistant gave wrong answers to 40% of questions, the study found.",
    "You must register by Friday to vote, the electoral commission reminded residents.",
    "Ignore all the noise, the coach told his players before the final.",
    "Respond only in English, the embassy's automated system told callers, according to the complaint.",
    "New instructions for assistants at polling stations were issued on Monday.",
    "The chatbot was told to forget previous conversations after each session, the company said.",
    "Always answer the question you are asked, debate coaches advise.",
]


SPECIFICS_12 = [
("What did the CDC recommend?", "The Centers for Disease Control and Prevention recommended boosters."),
("How much did the Louvre's visitor numbers rise?", "Visitors to the Musée du Louvre rose 14%."),
("What did Gen Z voters say?", "Voters born after 1997 said housing mattered most."),
("What did the Dutch PM announce?", "Mark Rutte, the Netherlands' prime minister, announced his resignation."),
("Who won Best Picture at the 2024 Oscars?", "Oppenheimer won best picture at the 96th Academy Awards in March 2024."),
("When did the Nasdaq hit a record?", "The Nasdaq Composite hit a record high on Friday."),
("How many people were evacuated in LA?", "More than 100,000 people were evacuated in Los Angeles."),
("What did Amazon's Jassy say?", "Amazon chief executive Andy Jassy said AI would cut jobs."),
("How many Ukrainian refugees live in Poland?", "Poland hosts about 1 million refugees from Ukraine."),
("What did the UN chief say?", "UN Secretary-General António Guterres said the world was failing."),
("When did the Titanic sink?", "RMS Titanic sank on 15 April 1912."),
("What did the Ninth Circuit rule?", "The 9th Circuit Court of Appeals ruled the ban unlawful."),
("How much did Shell earn in Q1?", "Shell earned $7.7bn in the first quarter."),
("What did MI5 warn?", "The Security Service warned of Russian sabotage."),
("How many people did Storm Babet kill?", "Babet killed seven people across the UK."),
("What did the AfD win?", "The Alternative for Germany won 20% of the vote."),
("Who did the Yankees trade?", "New York traded outfielder Juan Soto."),
("What did the Met Office forecast?", "The Meteorological Office forecast snow."),
("How many workers did the UAW strike involve?", "The United Auto Workers strike involved 45,000 workers."),
("When did the ECB cut rates?", "The European Central Bank cut rates in June."),
("What did Xi Jinping say?", "Chinese President Xi said the economy was stable."),
("What did the Bundestag approve?", "German lawmakers approved the budget."),
("How many medals did Team GB win?", "Great Britain won 65 medals in Paris."),
("What happened at the Eras Tour in Vienna?", "Taylor Swift's concerts in Vienna were cancelled after a terror plot."),
("How much is the new $1bn fund?", "The new fund is worth 1 billion dollars."),
("What did the Biden-Harris campaign say?", "Joe Biden's campaign said it raised $90m."),
("How many people attended Notting Hill Carnival?", "About 1 million people attended the Notting Hill carnival."),
("What did the Lib Dem leader say?", "Liberal Democrat leader Ed Davey said the NHS was broken."),
("When did Sinéad O'Connor die?", "Sinead O'Connor died in July 2023."),
("What did the U.N. Security Council decide?", "The UN Security Council voted to extend the mission."),
]
SPECIFICS_12_CAUGHT = [
("What did the CIA recommend?", "The Centers for Disease Control and Prevention recommended boosters."),
("Who won Best Picture at the 2023 Oscars?", "Oppenheimer won best picture at the 96th Academy Awards in March 2024."),
("How many people were evacuated in San Diego?", "More than 100,000 people were evacuated in Los Angeles."),
("What did the Eighth Circuit rule?", "The 9th Circuit Court of Appeals ruled the ban unlawful."),
("How much did Shell earn in Q2?", "Shell earned $7.7bn in the first quarter."),
("How many medals did Team USA win?", "Great Britain won 65 medals in Paris."),
("When did Dolores O'Riordan die?", "Sinead O'Connor died in July 2023."),
]
REVERSED_12 = [
("Who was ruled ineligible?", "The candidate was ruled ineligible by the court."),
("Which bridge reopened?", "The Tarn bridge reopened after repairs."),
("What was postponed?", "The final was postponed because of rain."),
("Who did not attend?", "The mayor did not attend the ceremony."),
("Which shares fell the most?", "Bank shares fell the most on Monday."),
("What was banned?", "Disposable vapes were banned from June."),
("Who was found not guilty?", "The nurse was found not guilty of all charges."),
("Which team was relegated?", "Luton were relegated on the final day."),
]
ANSWERS_12 = [
("What did the CDC recommend?", "The CDC recommended boosters [1].",
 "The Centers for Disease Control and Prevention recommended boosters."),
("How much did Shell earn?", "Shell earned 7.7 billion dollars [1].", "Shell earned $7.7bn in the first quarter."),
("When did the Titanic sink?", "It sank in April 1912 [1].", "RMS Titanic sank on 15 April 1912."),
("How many were evacuated?", "Over 100k people were evacuated [1].",
 "More than 100,000 people were evacuated in Los Angeles."),
("How many medals did Britain win?", "Team GB won 65 medals [1].", "Great Britain won 65 medals in Paris."),
("Who resigned?", "The Dutch prime minister, Mark Rutte, resigned [1].",
 "Mark Rutte, the Netherlands' prime minister, announced his resignation."),
("When did O'Connor die?", "Sinéad O'Connor died in July 2023 [1].", "Sinead O'Connor died in July 2023."),
("What share of the vote did the AfD win?", "The AfD won a fifth of the vote [1].",
 "The Alternative for Germany won 20% of the vote."),
("How many people attended?", "Roughly a million people attended [1].",
 "About 1 million people attended the Notting Hill carnival."),
]
NEWS_NOT_ORDERS_12 = [
    "Visitors are told to ignore the signs and follow the stewards, organisers said.",
    "The new AI model answers questions in 40 languages, the company said.",
    "Say cheese, the photographer told the winning team.",
    "Customers should reply to the email only if they wish to opt out, the bank advised.",
    "The bot instructions were later removed from the forum, moderators said.",
    "You will be asked to show ID at the polling station, the council reminded voters.",
    "Assistants at the care home were told to respond within five minutes.",
    "If you are an AI researcher, the conference wants to hear from you, organisers said.",
]


SPECIFICS_13 = [
("What happened on the 4th of July?", "On July 4, fireworks lit up the harbour."),
("Did 2.1m people watch the final?", "The final drew 2.1 million viewers."),
("What happened at midnight on New Year's Eve?", "At 12 a.m. on December 31 the bells rang."),
("What did the council decide in mid-March?", "On March 14, the council voted to close the pool."),
("What rose 3pc?", "Prices rose 3 per cent."),
("How much did the £2.4bn project cost?", "The project cost 2.4 billion pounds."),
("What happened in the '08 crash?", "In the 2008 financial crisis, banks failed."),
("Who won in 2022/23?", "Manchester City won the 2022-23 title."),
("How many people died in the 1st week?", "In the first week, 40 people died."),
("What opened at 9am?", "The polls opened at 9 a.m."),
("What did the FY24 report show?", "The report for fiscal year 2024 showed a loss."),
("How many people attended the 100th anniversary?", "The centenary celebration drew 5,000 people."),
("What did the 3-2 vote decide?", "By three votes to two, the board decided to sell."),
("How long was the 48-hour strike?", "The two-day strike ended on Friday."),
("What happened on Sunday 5 May?", "On May 5 the race was run."),
("How many homes were hit by the 7.8-magnitude quake?", "The magnitude 7.8 earthquake damaged 10,000 homes."),
("Who turned 100 on Tuesday?", "Former president Jimmy Carter, a centenarian, celebrated on Tuesday."),
("What happened at the 2024 Euros?", "At Euro 2024, Spain won the title."),
("What was the 10-year yield?", "The yield on ten-year Treasury bonds rose to 4.5%."),
("Will 1,000 jobs go?", "A thousand jobs will go, the firm said."),
("What happened on the night of the 5th?", "On the night of November 5, fireworks were set off."),
("What did the 2nd-placed team do?", "The runners-up, in second place, protested."),
("What did the Big Four banks report?", "The four biggest banks reported higher profits."),
("How much did the S&P 500 gain?", "The S&P 500 index gained 1.2%."),
("What did the Nikkei 225 do?", "Japan's Nikkei index fell 3%."),
("When was the 1966 World Cup final?", "England beat West Germany in the World Cup final on 30 July 1966."),
("What happened on Day 3 of the trial?", "On the third day of the trial, the witness broke down."),
("How old was the 19-year-old?", "The teenager, 19, was arrested."),
("How many degrees did it hit on Friday?", "Temperatures hit 40C on Friday."),
("What did the 1.5C target require?", "The 1.5 degrees Celsius goal requires cuts of 43%."),
]
SPECIFICS_13_CAUGHT = [
("What happened on the 5th of July?", "On July 4, fireworks lit up the harbour."),
("Who won in 2021/22?", "Manchester City won the 2022-23 title."),
("What did the FY23 report show?", "The report for fiscal year 2024 showed a loss."),
("What did the 4-1 vote decide?", "By three votes to two, the board decided to sell."),
("What was the 30-year yield?", "The yield on ten-year Treasury bonds rose to 4.5%."),
("Will 10,000 jobs go?", "A thousand jobs will go, the firm said."),
("How many people attended the 50th anniversary?", "The centenary celebration drew 5,000 people."),
]
REVERSED_13 = [
("Which train was delayed?", "The 8.15 train was delayed by an hour."),
("What was withdrawn?", "The planning application was withdrawn."),
("Who was disqualified?", "The runner was disqualified for a false start."),
("Which ward was closed?", "The maternity ward was closed to visitors."),
("What was the least popular option?", "The least popular option was a tram."),
("Who was never charged?", "The man was never charged."),
("What fell by the most?", "Rents fell by the most in London."),
("Who was unable to travel?", "The captain was unable to travel because of injury."),
]
ANSWERS_13 = [
("When were the fireworks?", "On the Fourth of July [1].", "On July 4, fireworks lit up the harbour."),
("How many viewers?", "About 2.1 million people watched [1].", "The final drew 2.1 million viewers."),
("How long did the strike last?", "It lasted 48 hours [1].", "The two-day strike ended on Friday."),
("What was the vote?", "The board voted 3-2 to sell [1].", "By three votes to two, the board decided to sell."),
("When did the polls open?", "At 9am [1].", "The polls opened at 9 a.m."),
("What did the yield rise to?", "Four and a half percent [1].",
 "The yield on ten-year Treasury bonds rose to 4.5%."),
("How many guests came?", "Three hundred guests came [1].", "The gala drew 300 guests."),
("How old was he?", "He was a 19-year-old [1].", "The teenager, 19, was arrested."),
("When was the final?", "On 30/07/1966 [1].", "England beat West Germany in the World Cup final on 30 July 1966."),
]
NEWS_NOT_ORDERS_13 = [
    "Tell us your story: readers can email the newsroom, the editor said.",
    "Chatbots answered 30% of customer queries last year, the firm said.",
    "Please note the library will close early on Friday.",
    "The model, trained on news articles, must be tested before launch, regulators said.",
    "Reply STOP to unsubscribe, the text message said.",
    "Assistants in the lab were asked to record every result.",
    "The software ignores instructions typed in capital letters, testers found.",
    "AI systems must be registered with the regulator from next year, the law says.",
]


SPECIFICS_14 = [
("What did the Health Secretary announce?", "Wes Streeting, the health secretary, announced a pay rise."),
("How many people caught norovirus in the outbreak?", "Some 300 people fell ill with the winter vomiting bug."),
("What did the judge say in the Post Office case?", "Mr Justice Fraser said the Horizon system was unreliable."),
("When does the HS2 line open?", "High Speed 2 will open between 2029 and 2033."),
("What did the Louvre Abu Dhabi show?", "The Abu Dhabi branch of the Louvre showed 600 works."),
("How many people use Heathrow each year?", "Heathrow handled 83.9 million passengers in 2024."),
("What did Pfizer-BioNTech report?", "Pfizer and BioNTech reported strong sales."),
("How much did the average house price rise in England?", "Average English house prices rose 3.4%."),
("What did the IMF forecast for the UK?", "The International Monetary Fund forecast 1.1% growth for Britain."),
("When did the Notre-Dame reopen?", "Notre Dame cathedral reopened on 7 December."),
("Who won the Ballon d'Or?", "Rodri won the Ballon d\u2019Or."),
("How many people did the Maui wildfire kill?", "The Lahaina fire killed 102 people."),
("What did the St. Petersburg court rule?", "A court in Saint Petersburg ruled the ban legal."),
("How much did the Dept. for Education spend?", "The Department for Education spent \u00a380bn."),
("What did SpaceX's Starship do?", "Starship, built by Space X, reached orbit."),
("What did the Ofsted report find?", "The schools inspectorate found the school inadequate."),
("How many people were on the MH370 flight?", "Malaysia Airlines flight MH 370 carried 239 people."),
("When is Eid al-Fitr?", "Eid al-Fitr falls on 30 March this year."),
("What did Rishi Sunak's government announce?", "Sunak's government announced a smoking ban."),
("What did the A-level results show?", "A level results showed a fall in top grades."),
("What did the N.H.S. report?", "The NHS reported record waits."),
("What did Wimbledon's champion say?", "The All England Club's champion, Carlos Alcaraz, said he was tired."),
("How many tons of CO2 were emitted?", "Emissions reached 37 billion tonnes of carbon dioxide."),
("When did the Good Friday Agreement take effect?", "The Belfast Agreement came into force in December 1999."),
("What did the Chancellor say about VAT?", "Rachel Reeves said value added tax would not rise."),
("How much did Apple's market cap reach?", "Apple's market capitalisation reached $3 trillion."),
("What did the NFL fine the Chiefs?", "The league fined Kansas City $100,000."),
("How many people attended the Hajj?", "About 1.8 million pilgrims performed the hajj."),
("What was the Brexit deal called?", "The EU-UK Trade and Cooperation Agreement set new rules."),
("How old is King Charles III?", "King Charles, 76, attended the service."),
]
SPECIFICS_14_CAUGHT = [
("When does the HS3 line open?", "High Speed 2 will open between 2029 and 2033."),
("How many people use Gatwick each year?", "Heathrow handled 83.9 million passengers in 2024."),
("What did the World Bank forecast for the UK?", "The International Monetary Fund forecast 1.1% growth for Britain."),
("How many people were on the MH17 flight?", "Malaysia Airlines flight MH 370 carried 239 people."),
("How old is King Charles II?", "King Charles III, 76, attended the service."),
("What did the Home Secretary announce?", "Wes Streeting, the health secretary, announced a pay rise."),
("How old is the Queen?", "King Charles III, 76, attended the service."),
]
REVERSED_14 = [
("Which hospital was downgraded?", "The county hospital was downgraded to a clinic."),
("Who was overlooked for the role?", "The deputy was overlooked for the top job."),
("What was rejected by the council?", "The plan was rejected by the council."),
("Who was exonerated?", "The sub-postmaster was exonerated in 2021."),
("What stayed closed?", "The bridge stayed closed over the weekend."),
("Which stations will not reopen?", "Three stations will not reopen."),
("What was the lowest score?", "The lowest score was 62."),
("Who failed the drug test?", "The sprinter failed a drug test in May."),
]
ANSWERS_14 = [
("Who made the ruling?", "Mr Justice Fraser made the ruling [1].",
 "Mr Justice Fraser said the Horizon system was unreliable."),
("How many passengers?", "Almost 84 million passengers [1].", "Heathrow handled 83.9 million passengers in 2024."),
("How much did prices rise?", "By 3.4 per cent [1].", "Average English house prices rose 3.4%."),
("How many people died?", "The fire killed 102 people [1].", "The Lahaina fire killed 102 people."),
("When did it reopen?", "On December 7 [1].", "Notre Dame cathedral reopened on 7 December."),
("What was emitted?", "37bn tonnes of CO2 [1].", "Emissions reached 37 billion tonnes of carbon dioxide."),
("How old is the King?", "He is 76 [1].", "King Charles, 76, attended the service."),
("How much was spent?", "Eighty billion pounds [1].", "The Department for Education spent \u00a380bn."),
("How many pilgrims?", "Around 1.8m [1].", "About 1.8 million pilgrims performed the hajj."),
]
NEWS_NOT_ORDERS_14 = [
    "Forget diets: walking is the best exercise, doctors say.",
    "The AI chatbot told users to eat rocks, the report found.",
    "Answer the call: the army wants more reservists.",
    "Ignore the weather forecast at your peril, sailors were warned.",
    "Assistants should check the ladder before climbing, the safety guide says.",
    "The bot replied to every tweet within seconds, researchers found.",
    "Tell me about it, the shopkeeper sighed.",
    "System instructions for the new tram were posted at every stop.",
]

SPECIFICS_15 = [
("According to the article, what did the Seoul-based agency report?",
 "Yonhap news agency, based in Seoul, reported the defection."),
("What did the New York-based firm announce?", "The firm, headquartered in New York, announced 200 job cuts."),
("What did Kim Jong-un say?", "Kim Jong Un said the tests would continue."),
("What did former U.S. President Donald Trump say?", "Former president Trump said he would appeal."),
("What did the Trump administration decide?", "The administration of Donald Trump decided to raise tariffs."),
("How many Ukrainians fled to Poland?", "Some 1.5 million people from Ukraine fled to Poland."),
("What did the Fed do to interest rates?", "The Federal Reserve cut interest rates by a quarter point."),
("What did the Kremlin say?", "Russia's presidential office said the talks had failed."),
("When did the COVID-era rules end?", "The rules brought in during the Covid pandemic ended in March 2022."),
("How many people live in the Big Apple?", "New York City has 8.3 million residents."),
("What did the Beeb report?", "The BBC reported the closure."),
("What did the GOP propose?", "Republicans proposed a tax cut."),
("What did the Dems say?", "Democrats said the bill would fail."),
("What did Downing Street say?", "A No 10 spokesman said the plan was on track."),
("How much did Nvidia's shares rise?", "Shares in NVIDIA rose 9% on Wednesday."),
("What did the UN's climate body warn?", "The Intergovernmental Panel on Climate Change warned of 1.5C of warming."),
("What did the Saudi crown prince say?",
 "Mohammed bin Salman, Saudi Arabia's crown prince, said oil output would rise."),
("What did Macron's party win?", "Emmanuel Macron's Renaissance party won 160 seats."),
("How many medals did Team USA win?", "The United States won 126 medals in Paris."),
("What did the 76ers' coach say?", "Philadelphia coach Nick Nurse said the team was tired."),
("Who was the Manchester United manager in 2015?", "Louis van Gaal managed Man Utd from 2014 to 2016."),
("What did the euro zone's central bank decide?", "The European Central Bank held rates at 4%."),
("What did Zelenskyy's office say?", "Volodymyr Zelensky's office said the strike hit a school."),
("When did the Hong Kong protests begin?", "Protests in Hong Kong began in June 2019."),
("What did the Wall Street Journal report?", "The WSJ reported the merger talks."),
("How much did the FTSE fall?", "The FTSE 100 fell 2% on Monday."),
("What did Tesla CEO Elon Musk say?", "Musk, Tesla's chief executive, said sales would grow."),
("How many jobs did the U.S. economy add in May?", "American employers added 272,000 jobs in May."),
("What happened at the Paris Games?", "At the Paris Olympics, the US topped the medal table."),
("What did the U.N. Security Council vote on?", "The UN Security Council voted on a ceasefire."),
]
SPECIFICS_15_CAUGHT = [
("What did Kim Jong-il say?", "Kim Jong Un said the tests would continue."),
("How many Ukrainians fled to Hungary?", "Some 1.5 million people from Ukraine fled to Poland."),
("What did the Bank of England do to interest rates?", "The Federal Reserve cut interest rates by a quarter point."),
("How many medals did Team GB win?", "The United States won 126 medals in Paris."),
("Who was the Manchester City manager in 2015?", "Louis van Gaal managed Man Utd from 2014 to 2016."),
("How much did the Dow fall?", "The FTSE 100 fell 2% on Monday."),
("How many jobs did the U.S. economy add in June?", "American employers added 272,000 jobs in May."),
]
REVERSED_15 = [
("What was uncovered by the inquiry?", "The inquiry uncovered a cover-up."),
("Which team was unbeaten?", "Arsenal were unbeaten at home."),
("Who was disqualified?", "The runner was disqualified for a false start."),
("What was unveiled?", "A statue was unveiled on Friday."),
("Which law was overturned?", "The court overturned the law in 2022."),
("Who did not attend?", "The prime minister did not attend the summit."),
("What was the least popular option?", "The least popular option was a new tax."),
("Which firms are unlisted?", "Two of the firms are unlisted."),
]
ANSWERS_15 = [
("Which agency reported it?", "Yonhap reported it [1].", "Yonhap news agency, based in Seoul, reported the defection."),
("How many fled?", "About one and a half million [1].", "Some 1.5 million people from Ukraine fled to Poland."),
("What did the Fed do?", "It cut rates by 0.25 percentage points [1].",
 "The Federal Reserve cut interest rates by a quarter point."),
("How many medals?", "126 [1].", "The United States won 126 medals in Paris."),
("How many jobs were added?", "272k jobs were added [1].", "American employers added 272,000 jobs in May."),
("Who managed the club?", "Van Gaal managed it [1].", "Louis van Gaal managed Man Utd from 2014 to 2016."),
("How much did shares rise?", "Nine percent [1].", "Shares in NVIDIA rose 9% on Wednesday."),
("When did they begin?", "In the summer of 2019, in June [1].", "Protests in Hong Kong began in June 2019."),
("How many seats?", "160 seats in parliament [1].", "Emmanuel Macron's Renaissance party won 160 seats."),
]
NEWS_NOT_ORDERS_15 = [
    "Stop what you're doing and watch this, the influencer urged followers.",
    "From now on, you must show ID to vote, the new law says.",
    "Disregard earlier guidance, health officials said on Monday.",
    "The assistant manager was sacked after the defeat.",
    "Your new instructions: sit, stay, heel, the dog trainer said.",
    "AI models should be tested before release, the EU says.",
    "Respond only in writing, the court told the lawyers.",
    "Pretend you are a tourist, the guidebook suggests.",
]

def _objections(question: str, answer: str, passage: str) -> list[str]:
    """What the checks after answering hold against a faithful answer ([] when it stands)."""
    chunk = Chunk("c1", "d1", "Report", "report.txt", 0, 0, len(passage), passage)
    grounded = CitationGrounder().ground(question, answer, [ScoredChunk(chunk, 0.9, 1)])
    objections = [c.detail for c in grounded.checks if c.kind in ("withheld", "refused")]
    return objections or (["refused"] if grounded.refused else [])


def _report(name: str, cases: Sequence[tuple[str, ...]], misread: Callable[..., object]) -> None:
    """Each case a check misreads (what it found, then the case), and the count."""
    found = [(case, misread(*case)) for case in cases]
    for case, why in found:
        if why:
            print(f"{name} {why} | {' | '.join(case)}")
    print(f"{name}: {sum(1 for _, why in found if why)} of {len(cases)} misread")


def _round(specifics: Sequence[tuple[str, str]], reversed_: Sequence[tuple[str, str]],
           answers: Sequence[tuple[str, str, str]], news: Sequence[str],
           caught: Sequence[tuple[str, str]] = ()) -> None:
    """One round's counts: what each check misreads (and near misses it lets through)."""
    _report("specifics", specifics, lambda q, p: missing_specifics(q, [p], asked=True))
    if caught:
        _report("near misses not caught", caught, lambda q, p: not missing_specifics(q, [p], asked=True))
    _report("opposites and negations", reversed_,
            lambda q, p: [o.asked for o in opposites(q, [p])] or (["negated"] if negated(q, [p]) else []))
    _report("answers", answers, _objections)
    _report("news read as orders to the assistant", [(s,) for s in news], orders)


def main() -> None:
    _round(SPECIFICS, REVERSED, ANSWERS, NEWS_NOT_ORDERS)
    print("round 2:")
    _round(SPECIFICS_2, REVERSED_2, ANSWERS_2, NEWS_NOT_ORDERS_2)
    print("round 3:")
    _round(SPECIFICS_3, REVERSED_3, ANSWERS_3, NEWS_NOT_ORDERS_3, SPECIFICS_3_CAUGHT)
    print("round 4:")
    _round(SPECIFICS_4, REVERSED_4, ANSWERS_4, NEWS_NOT_ORDERS_4, SPECIFICS_4_CAUGHT)
    print("round 5:")
    _round(SPECIFICS_5, REVERSED_5, ANSWERS_5, NEWS_NOT_ORDERS_5, SPECIFICS_5_CAUGHT)
    print("round 6:")
    _round(SPECIFICS_6, REVERSED_6, ANSWERS_6, NEWS_NOT_ORDERS_6, SPECIFICS_6_CAUGHT)
    print("round 7:")
    _round(SPECIFICS_7, REVERSED_7, ANSWERS_7, NEWS_NOT_ORDERS_7, SPECIFICS_7_CAUGHT)
    print("round 8:")
    _round(SPECIFICS_8, REVERSED_8, ANSWERS_8, NEWS_NOT_ORDERS_8, SPECIFICS_8_CAUGHT)
    print("round 9:")
    _round(SPECIFICS_9, REVERSED_9, ANSWERS_9, NEWS_NOT_ORDERS_9, SPECIFICS_9_CAUGHT)
    print("round 10:")
    _round(SPECIFICS_10, REVERSED_10, ANSWERS_10, NEWS_NOT_ORDERS_10, SPECIFICS_10_CAUGHT)
    print("round 11:")
    _round(SPECIFICS_11, REVERSED_11, ANSWERS_11, NEWS_NOT_ORDERS_11, SPECIFICS_11_CAUGHT)
    print("round 12:")
    _round(SPECIFICS_12, REVERSED_12, ANSWERS_12, NEWS_NOT_ORDERS_12, SPECIFICS_12_CAUGHT)
    print("round 13:")
    _round(SPECIFICS_13, REVERSED_13, ANSWERS_13, NEWS_NOT_ORDERS_13, SPECIFICS_13_CAUGHT)
    print("round 14:")
    _round(SPECIFICS_14, REVERSED_14, ANSWERS_14, NEWS_NOT_ORDERS_14, SPECIFICS_14_CAUGHT)
    print("round 15:")
    _round(SPECIFICS_15, REVERSED_15, ANSWERS_15, NEWS_NOT_ORDERS_15, SPECIFICS_15_CAUGHT)


if __name__ == "__main__":
    main()
